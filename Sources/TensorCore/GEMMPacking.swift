import Foundation

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
    /// The sweep's partial sums (`GEMMSweep`).
    let scratch: UnsafeMutablePointer<Float>
    let bCapacity: Int
    let aCapacity: Int
    let scratchCapacity: Int

    init(bCapacity: Int, aCapacity: Int, scratchCapacity: Int = 0) {
        self.bCapacity = bCapacity
        self.aCapacity = aCapacity
        self.scratchCapacity = scratchCapacity
        packedB = Self.allocate(bCapacity)
        packedA = Self.allocate(aCapacity)
        tile = Self.allocate(gemmMR * gemmMaxVectors * 16)
        scratch = Self.allocate(scratchCapacity)
    }

    deinit {
        packedB.deallocate()
        packedA.deallocate()
        tile.deallocate()
        scratch.deallocate()
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }

    /// Pooled workspaces under an `NSLock`. (Not `Mutex`: Thread Sanitizer on Linux does not see
    /// Synchronization's `Mutex` as a lock and reports races inside `withLock`.)
    private final class Pool: @unchecked Sendable {
        let lock = NSLock()
        var items: [GEMMWorkspace] = []

        func withLock<T>(_ body: (inout [GEMMWorkspace]) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&items)
        }
    }

    private static let pool = Pool()

    /// A workspace with at least the given capacities, from the pool when one fits.
    static func take(bCapacity: Int, aCapacity: Int, scratchCapacity: Int = 0) -> GEMMWorkspace {
        func fits(_ w: GEMMWorkspace) -> Bool {
            w.bCapacity >= bCapacity && w.aCapacity >= aCapacity && w.scratchCapacity >= scratchCapacity
        }
        let pooled = pool.withLock { pool -> GEMMWorkspace? in
            guard let index = pool.lastIndex(where: fits) else { return pool.popLast() }
            return pool.remove(at: index)
        }
        if let pooled, fits(pooled) { return pooled }
        return GEMMWorkspace(bCapacity: bCapacity, aCapacity: aCapacity, scratchCapacity: scratchCapacity)
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
    /// Packs rows `row0 ..< row0 + rows` of op(A) as consecutive micro-panels (`[kc][MR]` each,
    /// the last zero-padded).
    @inline(__always)
    static func packABlock(
        _ a: UnsafePointer<Float>, lda: Int, transA: Bool, row0: Int, rows: Int, p0: Int, kc: Int,
        into dst: UnsafeMutablePointer<Float>
    ) {
        let mr = gemmMR
        let full = rows / mr
        if transA && full > 1 {
            // A is stored [k, m]: read each depth step's run of rows once, scatter it to the panels.
            var src = a + p0 * lda + row0
            for p in 0..<kc {
                var out = dst + p * mr
                for q in 0..<full {
                    UnsafeMutableRawPointer(out).storeBytes(
                        of: UnsafeRawPointer(src + q * mr).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    out += kc * mr
                }
                src += lda
            }
        } else {
            for q in 0..<full {
                packA(
                    a, lda: lda, transA: transA, row0: row0 + q * mr, rows: mr, p0: p0, kc: kc, into: dst + q * kc * mr)
            }
        }
        if rows > full * mr {
            packA(
                a, lda: lda, transA: transA, row0: row0 + full * mr, rows: rows - full * mr, p0: p0, kc: kc,
                into: dst + full * kc * mr)
        }
    }

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
            // A is stored [m, k]: transpose 8 rows into the panel, 16 depth steps at a time. Three
            // perfect shuffles of the 8 rows leave the [16][8] panel block in the 8 vectors.
            let r0 = a + row0 * lda + p0
            var p = 0
            while p + 16 <= kc {
                @inline(__always) func row(_ r: Int) -> SIMD16<Float> {
                    UnsafeRawPointer(r0 + r * lda + p).loadUnaligned(as: SIMD16<Float>.self)
                }
                var (v0, v1, v2, v3, v4, v5, v6, v7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
                for _ in 0..<3 {
                    (v0, v1, v2, v3, v4, v5, v6, v7) = (
                        low(v0, v4), high(v0, v4), low(v1, v5), high(v1, v5),
                        low(v2, v6), high(v2, v6), low(v3, v7), high(v3, v7)
                    )
                }
                let out = UnsafeMutableRawPointer(dst + p * 8)
                out.storeBytes(of: v0, toByteOffset: 0, as: SIMD16<Float>.self)
                out.storeBytes(of: v1, toByteOffset: 64, as: SIMD16<Float>.self)
                out.storeBytes(of: v2, toByteOffset: 128, as: SIMD16<Float>.self)
                out.storeBytes(of: v3, toByteOffset: 192, as: SIMD16<Float>.self)
                out.storeBytes(of: v4, toByteOffset: 256, as: SIMD16<Float>.self)
                out.storeBytes(of: v5, toByteOffset: 320, as: SIMD16<Float>.self)
                out.storeBytes(of: v6, toByteOffset: 384, as: SIMD16<Float>.self)
                out.storeBytes(of: v7, toByteOffset: 448, as: SIMD16<Float>.self)
                p += 16
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
            while j + 16 <= cols {
                transpose16(b + (col0 + j) * ldb + p0, ld: ldb, count: kc, into: dst + j, stride: width)
                j += 16
            }
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

    /// Transposes 16 rows of `count` floats (row stride `ld`) into `count` rows of 16 floats
    /// (row stride `stride`), one 16 x 16 block at a time in registers.
    @inline(__always)
    static func transpose16(
        _ src: UnsafePointer<Float>, ld: Int, count: Int, into dst: UnsafeMutablePointer<Float>, stride: Int
    ) {
        var p = 0
        while p + 16 <= count {
            @inline(__always) func row(_ r: Int) -> SIMD16<Float> {
                UnsafeRawPointer(src + r * ld + p).loadUnaligned(as: SIMD16<Float>.self)
            }
            @inline(__always) func store(_ v: SIMD16<Float>, _ q: Int) {
                UnsafeMutableRawPointer(dst + (p + q) * stride).storeBytes(of: v, as: SIMD16<Float>.self)
            }
            var (r0, r1, r2, r3, r4, r5, r6, r7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
            var (r8, r9, r10, r11) = (row(8), row(9), row(10), row(11))
            var (r12, r13, r14, r15) = (row(12), row(13), row(14), row(15))
            // Four perfect shuffles of the rows transpose a 16 x 16 block; each interleave of two
            // vectors compiles to one two-source permute.
            for _ in 0..<4 {
                (r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15) = (
                    low(r0, r8), high(r0, r8), low(r1, r9), high(r1, r9),
                    low(r2, r10), high(r2, r10), low(r3, r11), high(r3, r11),
                    low(r4, r12), high(r4, r12), low(r5, r13), high(r5, r13),
                    low(r6, r14), high(r6, r14), low(r7, r15), high(r7, r15)
                )
            }
            store(r0, 0)
            store(r1, 1)
            store(r2, 2)
            store(r3, 3)
            store(r4, 4)
            store(r5, 5)
            store(r6, 6)
            store(r7, 7)
            store(r8, 8)
            store(r9, 9)
            store(r10, 10)
            store(r11, 11)
            store(r12, 12)
            store(r13, 13)
            store(r14, 14)
            store(r15, 15)
            p += 16
        }
        while p < count {
            for r in 0..<16 { dst[p * stride + r] = src[r * ld + p] }
            p += 1
        }
    }

    /// Interleaves the low halves of `x` and `y`: x0 y0 x1 y1 ... x7 y7.
    @inline(__always)
    static func low(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[4], y[4], x[5], y[5], x[6], y[6], x[7], y[7])
    }

    /// Interleaves the high halves of `x` and `y`: x8 y8 x9 y9 ... x15 y15.
    @inline(__always)
    static func high(_ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(
            x[8], y[8], x[9], y[9], x[10], y[10], x[11], y[11], x[12], y[12], x[13], y[13], x[14], y[14], x[15], y[15])
    }
}
