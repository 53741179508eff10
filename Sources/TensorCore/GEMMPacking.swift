import Synchronization

/// Per-thread scratch memory for one GEMM sub-problem: the packed B block, one packed A
/// micro-panel and an edge tile. Workspaces are pooled and reused across calls so that large
/// buffers are not mapped (and page-faulted) afresh on every multiply.
///
/// `@unchecked Sendable`: a workspace is owned by exactly one thread between `take` and `give`;
/// the pool hands it over under a mutex.
final class GEMMWorkspace: @unchecked Sendable {
    let packedB: UnsafeMutablePointer<Float>
    let packedA: UnsafeMutablePointer<Float>
    let tile: UnsafeMutablePointer<Float>
    let bCapacity: Int
    let aCapacity: Int

    init(bCapacity: Int, aCapacity: Int) {
        self.bCapacity = bCapacity
        self.aCapacity = aCapacity
        packedB = Self.allocate(bCapacity)
        packedA = Self.allocate(aCapacity)
        tile = Self.allocate(gemmMR * gemmMaxVectors * 16)
    }

    deinit {
        packedB.deallocate()
        packedA.deallocate()
        tile.deallocate()
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }

    private static let pool = Mutex<[GEMMWorkspace]>([])

    /// A workspace with at least the given capacities, from the pool when one fits.
    static func take(bCapacity: Int, aCapacity: Int) -> GEMMWorkspace {
        let pooled = pool.withLock { pool -> GEMMWorkspace? in
            guard
                let index = pool.lastIndex(where: { $0.bCapacity >= bCapacity && $0.aCapacity >= aCapacity }
                )
            else { return pool.popLast() }
            return pool.remove(at: index)
        }
        if let pooled, pooled.bCapacity >= bCapacity, pooled.aCapacity >= aCapacity { return pooled }
        return GEMMWorkspace(bCapacity: bCapacity, aCapacity: aCapacity)
    }

    /// Returns a workspace to the pool (the pool keeps a handful).
    static func give(_ workspace: GEMMWorkspace) {
        pool.withLock { pool in
            if pool.count < 16 { pool.append(workspace) }
        }
    }
}

/// Packing of GEMM operands into the micro-kernel's layouts. Transposed operands are handled
/// here, while copying, so no whole matrix is ever transposed.
enum GEMMPacking {
    /// Packs rows `row0 ..< row0 + rows` (rows <= MR) and depth `p0 ..< p0 + kc` of op(A) into
    /// one micro-panel laid out `[kc][MR]`; missing rows are zero.
    @inline(__always)
    static func packA(
        _ a: UnsafePointer<Float>, lda: Int, transA: Bool, row0: Int, rows: Int, p0: Int, kc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let mr = gemmMR
        if transA {
            // A is stored [k, m]: each depth step is a contiguous run of rows.
            var src = a + p0 * lda + row0
            var out = dst
            if rows == mr {
                for _ in 0..<kc {
                    UnsafeMutableRawPointer(out).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    src += lda
                    out += mr
                }
            } else {
                for _ in 0..<kc {
                    for r in 0..<rows { out[r] = src[r] }
                    for r in rows..<mr { out[r] = 0 }
                    src += lda
                    out += mr
                }
            }
        } else if rows == mr {
            // A is stored [m, k]: transpose 8 rows into the panel, 8 depth steps at a time.
            let r0 = a + row0 * lda + p0
            var p = 0
            while p + 8 <= kc {
                let v0 = UnsafeRawPointer(r0 + p).loadUnaligned(as: SIMD8<Float>.self)
                let v1 = UnsafeRawPointer(r0 + lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let v2 = UnsafeRawPointer(r0 + 2 * lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let v3 = UnsafeRawPointer(r0 + 3 * lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let v4 = UnsafeRawPointer(r0 + 4 * lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let v5 = UnsafeRawPointer(r0 + 5 * lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let v6 = UnsafeRawPointer(r0 + 6 * lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let v7 = UnsafeRawPointer(r0 + 7 * lda + p).loadUnaligned(as: SIMD8<Float>.self)
                let out = dst + p * 8
                for q in 0..<8 {
                    UnsafeMutableRawPointer(out + q * 8).storeBytes(
                        of: SIMD8(v0[q], v1[q], v2[q], v3[q], v4[q], v5[q], v6[q], v7[q]),
                        as: SIMD8<Float>.self)
                }
                p += 8
            }
            while p < kc {
                for r in 0..<8 { dst[p * 8 + r] = r0[r * lda + p] }
                p += 1
            }
        } else {
            for r in 0..<mr {
                if r < rows {
                    let src = a + (row0 + r) * lda + p0
                    for p in 0..<kc { dst[p * mr + r] = src[p] }
                } else {
                    for p in 0..<kc { dst[p * mr + r] = 0 }
                }
            }
        }
    }

    /// Packs depth `p0 ..< p0 + kc` and columns `col0 ..< col0 + cols` of op(B) into a micro-panel
    /// laid out `[kc][width]` (width a multiple of 16, >= cols); missing columns are zero.
    @inline(__always)
    static func packBPanel(
        _ b: UnsafePointer<Float>, ldb: Int, transB: Bool, p0: Int, kc: Int, col0: Int, cols: Int,
        width: Int, into dst: UnsafeMutablePointer<Float>
    ) {
        if transB {
            // B is stored [n, k]: column j of op(B) is contiguous row j of storage.
            if cols < width {
                for p in 0..<kc {
                    for j in cols..<width { dst[p * width + j] = 0 }
                }
            }
            var j = 0
            while j + 4 <= cols {
                let s0 = b + (col0 + j) * ldb + p0
                let s1 = s0 + ldb
                let s2 = s1 + ldb
                let s3 = s2 + ldb
                var out = dst + j
                for p in 0..<kc {
                    out[0] = s0[p]
                    out[1] = s1[p]
                    out[2] = s2[p]
                    out[3] = s3[p]
                    out += width
                }
                j += 4
            }
            while j < cols {
                let src = b + (col0 + j) * ldb + p0
                for p in 0..<kc { dst[p * width + j] = src[p] }
                j += 1
            }
        } else {
            var src = b + p0 * ldb + col0
            var out = dst
            if cols == width {
                let vectors = width / 16
                for _ in 0..<kc {
                    for v in 0..<vectors {
                        UnsafeMutableRawPointer(out + v * 16).storeBytes(
                            of: UnsafeRawPointer(src + v * 16).loadUnaligned(as: SIMD16<Float>.self),
                            as: SIMD16<Float>.self)
                    }
                    src += ldb
                    out += width
                }
            } else {
                for _ in 0..<kc {
                    for j in 0..<cols { out[j] = src[j] }
                    for j in cols..<width { out[j] = 0 }
                    src += ldb
                    out += width
                }
            }
        }
    }
}
