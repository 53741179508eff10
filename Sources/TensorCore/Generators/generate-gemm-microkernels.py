#!/usr/bin/env python3
"""Writes Sources/TensorCore/GEMMMicroKernel.swift: the register-tiled GEMM micro-kernels.

Each wide kernel computes an MR x (16*NV) tile of C from a packed A micro-panel ([kc][MR], broadcast
one element at a time) and a packed B micro-panel ([kc][16*NV], loaded as SIMD16<Float> vectors),
keeping all MR*NV accumulators in registers (AVX-512: 32 zmm registers). On a CPU without AVX-512
those 24 SIMD16 accumulators are 48 ymm registers of 16 and spill; there each MR x (16*NV) tile is
computed as two halves of 4 rows by half kernels of at most 4 x 24 (SIMD8<Float>: 12 accumulators,
3 B vectors and one broadcast fill AVX2's 16 ymm registers), which read the same packed operands, in
depth slices whose partial sums are carried unrounded, so both families give bitwise equal results.

Run from anywhere: python3 Sources/TensorCore/Generators/generate-gemm-microkernels.py
  (no argument)  rewrites ../GEMMMicroKernel.swift, the file beside this folder
  --check        exits 1 when that file differs from what this script generates
  --stdout       prints the generated file instead
"""
import os
import sys

MR = 8
NVS = [1, 2, 3]


def kernel(mr, nv, strided=False, in_place_b=False):
    w = nv * 16
    out = []
    if in_place_b and strided:
        out.append(f"/// C[{mr}, {w}] = alpha * A[{mr}, kc] * B[kc, {w}] + beta * C, A and B both read in place (rows")
        out.append("/// `lda` and `ldb` apart).")
    elif in_place_b:
        out.append(f"/// C[{mr}, {w}] = alpha * A[{mr}, kc] * B[kc, {w}] + beta * C, A from a packed micro-panel and B")
        out.append("/// read in place (rows `ldb` apart).")
    elif strided:
        out.append(f"/// C[{mr}, {w}] = alpha * A[{mr}, kc] * B[kc, {w}] + beta * C, A read in place (rows `lda` apart)")
        out.append("/// and B from a packed micro-panel.")
    else:
        out.append(f"/// C[{mr}, {w}] = alpha * A[{mr}, kc] * B[kc, {w}] + beta * C from packed micro-panels.")
    out.append("@inline(never)")
    name = ("Strided" if strided else "") + ("InPlaceB" if in_place_b else "")
    out.append(f"func gemmMicroKernel{name}{mr}x{w}(")
    out.append(
        f"    _ kc: Int, _ a: UnsafePointer<Float>,{' _ lda: Int,' if strided else ''} _ b: UnsafePointer<Float>,"
        f"{' _ ldb: Int,' if in_place_b else ''}")
    out.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float")
    out.append(") {")
    for i in range(mr):
        out.append("    " + " ".join(f"var c{i}{j} = SIMD16<Float>();" for j in range(nv)).rstrip(";"))
    if strided:
        for i in range(mr):
            out.append(f"    let row{i} = a + {i} * lda")
    else:
        out.append("    var pa = a")
    out.append("    var pb = UnsafeRawPointer(b)")
    if in_place_b:
        out.append("    let step = ldb * 4")
    out.append(f"    for {'p' if strided else '_'} in 0..<kc {{")
    load = "loadUnaligned" if in_place_b else "load"
    for j in range(nv):
        out.append(f"        let b{j} = pb.{load}(fromByteOffset: {j * 64}, as: SIMD16<Float>.self)")
    for i in range(mr):
        src = f"row{i}[p]" if strided else f"pa[{i}]"
        out.append(f"        let a{i} = SIMD16<Float>(repeating: {src})")
        out.append("        " + "; ".join(f"c{i}{j}.addProduct(a{i}, b{j})" for j in range(nv)))
    if not strided:
        out.append(f"        pa += {mr}")
    out.append("        pb += step" if in_place_b else f"        pb += {w * 4}")
    out.append("    }")
    out.append("    let va = SIMD16<Float>(repeating: alpha)")
    out.append("    if beta == 0 {")
    for i in range(mr):
        out.append(f"        let r{i} = UnsafeMutableRawPointer(c + {i} * ldc)")
        for j in range(nv):
            out.append(f"        r{i}.storeBytes(of: va * c{i}{j}, toByteOffset: {j * 64}, as: SIMD16<Float>.self)")
    out.append("    } else {")
    out.append("        let vb = SIMD16<Float>(repeating: beta)")
    for i in range(mr):
        out.append(f"        let r{i} = UnsafeMutableRawPointer(c + {i} * ldc)")
        for j in range(nv):
            out.append(
                f"        r{i}.storeBytes(of: (va * c{i}{j}).addingProduct(vb, r{i}.loadUnaligned("
                f"fromByteOffset: {j * 64}, as: SIMD16<Float>.self)), toByteOffset: {j * 64}, as: SIMD16<Float>.self)")
    out.append("    }")
    out.append("}")
    return "\n".join(out)




def half_kernel(nv8, strided=False):
    """4 x (8*nv8) in SIMD8 registers over one depth slice (AVX2's 16 ymm registers)."""
    return slice_kernel(4, 8, nv8, strided)


def wide_slice_kernel(nv, strided=False):
    """8 x (16*nv) in SIMD16 registers over one depth slice (AVX-512's 32 zmm registers)."""
    return slice_kernel(MR, 16, nv, strided)


def slice_kernel(rows, lanes, nv, strided=False):
    """rows x (lanes*nv) in SIMD{lanes} registers over one depth slice; A packed [kc][MR] (this tile's
    `rows` of the MR rows) or in place, B rows `ldb` apart. The accumulators start at zero (`first`) or
    from `acc` (rows 48 apart), and end in C with alpha and beta (`last`) or back in `acc`, unrounded:
    the sum of each element runs in the same order as in the wide kernel, so results are bitwise equal."""
    w = nv * lanes
    vec = f"SIMD{lanes}<Float>"
    size = lanes * 4
    out = []
    source = "A read in place (rows `lda` apart)" if strided else f"A from a packed [kc][{MR}] micro-panel"
    out.append(f"/// C[{rows}, {w}] (+)= A[{rows}, kc] * B[kc, {w}] over one depth slice, {source}, B's rows `ldb` apart;")
    out.append("/// partial sums carried in `acc` between slices (see `GEMMSweep`).")
    out.append("@inline(never)")
    family = "Half" if rows == 4 else "Slice"
    out.append(f"func gemm{family}Kernel{'Strided' if strided else ''}{rows}x{w}(")
    out.append(f"    _ kc: Int, _ a: UnsafePointer<Float>,{' _ lda: Int,' if strided else ''} _ b: UnsafePointer<Float>, _ ldb: Int,")
    out.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,")
    out.append("    _ acc: UnsafeMutablePointer<Float>, first: Bool, last: Bool")
    out.append(") {")
    for i in range(rows):
        out.append("    " + " ".join(f"var c{i}{j} = {vec}();" for j in range(nv)).rstrip(";"))
    out.append("    if !first {")
    for i in range(rows):
        out.append(f"        let s{i} = UnsafeRawPointer(acc + {i * 48})")
        for j in range(nv):
            out.append(f"        c{i}{j} = s{i}.loadUnaligned(fromByteOffset: {j * size}, as: {vec}.self)")
    out.append("    }")
    if strided:
        for i in range(rows):
            out.append(f"    let row{i} = a + {i} * lda")
    else:
        out.append("    var pa = a")
    out.append("    var pb = UnsafeRawPointer(b)")
    out.append("    let step = ldb * 4")
    out.append(f"    for {'p' if strided else '_'} in 0..<kc {{")
    for j in range(nv):
        out.append(f"        let b{j} = pb.loadUnaligned(fromByteOffset: {j * size}, as: {vec}.self)")
    for i in range(rows):
        src = f"row{i}[p]" if strided else f"pa[{i}]"
        out.append(f"        let a{i} = {vec}(repeating: {src})")
        out.append("        " + "; ".join(f"c{i}{j}.addProduct(a{i}, b{j})" for j in range(nv)))
    if not strided:
        out.append(f"        pa += {MR}")
    out.append("        pb += step")
    out.append("    }")
    out.append("    if !last {")
    for i in range(rows):
        out.append(f"        let s{i} = UnsafeMutableRawPointer(acc + {i * 48})")
        for j in range(nv):
            out.append(f"        s{i}.storeBytes(of: c{i}{j}, toByteOffset: {j * size}, as: {vec}.self)")
    out.append("        return")
    out.append("    }")
    out.append(f"    let va = {vec}(repeating: alpha)")
    out.append("    if beta == 0 {")
    for i in range(rows):
        out.append(f"        let r{i} = UnsafeMutableRawPointer(c + {i} * ldc)")
        for j in range(nv):
            out.append(f"        r{i}.storeBytes(of: va * c{i}{j}, toByteOffset: {j * size}, as: {vec}.self)")
    out.append("    } else {")
    out.append(f"        let vb = {vec}(repeating: beta)")
    for i in range(rows):
        out.append(f"        let r{i} = UnsafeMutableRawPointer(c + {i} * ldc)")
        for j in range(nv):
            out.append(
                f"        r{i}.storeBytes(of: (va * c{i}{j}).addingProduct(vb, r{i}.loadUnaligned("
                f"fromByteOffset: {j * size}, as: {vec}.self)), toByteOffset: {j * size}, as: {vec}.self)")
    out.append("    }")
    out.append("}")
    return "\n".join(out)


def generate():
    """The whole text of GEMMMicroKernel.swift."""
    lines = []
    lines.append("// Generated by Sources/TensorCore/Generators/generate-gemm-microkernels.py; edit the script, not this file.")
    lines.append("// swift-format-ignore-file")
    lines.append("")
    lines.append(f"/// Rows of C computed by one micro-kernel call (the height of a packed A micro-panel).")
    lines.append(f"let gemmMR = {MR}")
    lines.append(f"/// Widest micro-kernel, in SIMD16<Float> vectors of C columns.")
    lines.append(f"let gemmMaxVectors = {max(NVS)}")
    lines.append("")
    lines.append("/// Runs the wide micro-kernel for a tile `vectors * 16` columns wide (the half tiles run in")
    lines.append("/// `GEMMSweep`).")
    lines.append("@inline(__always)")
    lines.append("func gemmMicroKernel(")
    lines.append("    vectors: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,")
    lines.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float")
    lines.append(") {")
    lines.append("    switch vectors {")
    for nv in NVS[:-1]:
        lines.append(f"    case {nv}: gemmMicroKernel{MR}x{nv * 16}(kc, a, b, c, ldc, alpha, beta)")
    lines.append(f"    default: gemmMicroKernel{MR}x{NVS[-1] * 16}(kc, a, b, c, ldc, alpha, beta)")
    lines.append("    }")
    lines.append("}")
    lines.append("")
    lines.append("/// Runs the wide in-place-A micro-kernel for a tile `vectors * 16` columns wide.")
    lines.append("@inline(__always)")
    lines.append("func gemmMicroKernelStrided(")
    lines.append("    vectors: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,")
    lines.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float")
    lines.append(") {")
    lines.append("    switch vectors {")
    for nv in NVS[:-1]:
        lines.append(f"    case {nv}: gemmMicroKernelStrided{MR}x{nv * 16}(kc, a, lda, b, c, ldc, alpha, beta)")
    lines.append(f"    default: gemmMicroKernelStrided{MR}x{NVS[-1] * 16}(kc, a, lda, b, c, ldc, alpha, beta)")
    lines.append("    }")
    lines.append("}")
    lines.append("")
    lines.append("/// Runs the wide micro-kernel with B read in place for a tile `vectors * 16` columns wide.")
    lines.append("@inline(__always)")
    lines.append("func gemmMicroKernelInPlaceB(")
    lines.append("    vectors: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int,")
    lines.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float")
    lines.append(") {")
    lines.append("    switch vectors {")
    for nv in NVS[:-1]:
        lines.append(f"    case {nv}: gemmMicroKernelInPlaceB{MR}x{nv * 16}(kc, a, b, ldb, c, ldc, alpha, beta)")
    lines.append(f"    default: gemmMicroKernelInPlaceB{MR}x{NVS[-1] * 16}(kc, a, b, ldb, c, ldc, alpha, beta)")
    lines.append("    }")
    lines.append("}")
    for strided in (False, True):
        name = "Strided" if strided else ""
        lda = " _ lda: Int," if strided else ""
        lda_arg = " lda," if strided else ""
        lines.append("")
        lines.append(f"/// Runs the wide{' in-place-A' if strided else ''} slice kernel (`GEMMSweep`) for a tile `vectors * 16` columns wide.")
        lines.append("@inline(__always)")
        lines.append(f"func gemmSliceKernel{name}(")
        lines.append(f"    vectors: Int, _ kc: Int, _ a: UnsafePointer<Float>,{lda} _ b: UnsafePointer<Float>, _ ldb: Int,")
        lines.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,")
        lines.append("    _ acc: UnsafeMutablePointer<Float>, first: Bool, last: Bool")
        lines.append(") {")
        lines.append("    switch vectors {")
        call = f"(kc, a,{lda_arg} b, ldb, c, ldc, alpha, beta, acc, first: first, last: last)"
        for nv in NVS[:-1]:
            lines.append(f"    case {nv}: gemmSliceKernel{name}{MR}x{nv * 16}{call}")
        lines.append(f"    default: gemmSliceKernel{name}{MR}x{NVS[-1] * 16}{call}")
        lines.append("    }")
        lines.append("}")
    for strided in (False, True):
        for nv in NVS:
            lines.append("")
            lines.append(kernel(MR, nv, strided))
    lines.append("")
    lines.append("/// Runs the wide micro-kernel with A and B both read in place for a tile `vectors * 16` columns wide.")
    lines.append("@inline(__always)")
    lines.append("func gemmMicroKernelStridedInPlaceB(")
    lines.append("    vectors: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,")
    lines.append("    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float")
    lines.append(") {")
    lines.append("    switch vectors {")
    for nv in NVS[:-1]:
        lines.append(f"    case {nv}: gemmMicroKernelStridedInPlaceB{MR}x{nv * 16}(kc, a, lda, b, ldb, c, ldc, alpha, beta)")
    lines.append(f"    default: gemmMicroKernelStridedInPlaceB{MR}x{NVS[-1] * 16}(kc, a, lda, b, ldb, c, ldc, alpha, beta)")
    lines.append("    }")
    lines.append("}")
    for nv in NVS:
        lines.append("")
        lines.append(kernel(MR, nv, in_place_b=True))
    for nv in NVS:
        lines.append("")
        lines.append(kernel(MR, nv, strided=True, in_place_b=True))
    for strided in (False, True):
        for nv8 in (2, 3):
            lines.append("")
            lines.append(half_kernel(nv8, strided))
    for strided in (False, True):
        for nv in NVS:
            lines.append("")
            lines.append(wide_slice_kernel(nv, strided))
    return "\n".join(lines) + "\n"


def main(arguments):
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "GEMMMicroKernel.swift")
    target = os.path.normpath(target)
    text = generate()
    if arguments == ["--stdout"]:
        sys.stdout.write(text)
    elif arguments == ["--check"]:
        with open(target, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{target} differs from what {sys.argv[0]} generates", file=sys.stderr)
                return 1
    elif arguments == []:
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(f"usage: {sys.argv[0]} [--check | --stdout]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
