import Dispatch

/// Single-precision general matrix multiply on row-major matrices.
///
/// `multiply` is a packed, cache-blocked GEMM in the style of Goto and van de Geijn ("Anatomy of
/// High-Performance Matrix Multiplication", ACM TOMS 2008) and BLIS (Van Zee and van de Geijn,
/// 2015): op(B) is packed one `[kc, nc]` block at a time into micro-panels 16, 32 or 48 columns
/// wide (kept in L2), op(A) one 8-row micro-panel at a time (kept in L1), and a register-tiled
/// SIMD16<Float> micro-kernel accumulates each 8x48 tile of C in 24 vector registers. Transposes
/// are absorbed by the packing. Threads each own a rectangle of C. `reference` is the plain
/// triple loop, kept as the test oracle.
public enum GEMM {
    /// Row-major `C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C`.
    ///
    /// - Parameters:
    ///   - a: `A` stored `[m, k]` with leading dimension `lda`, or `[k, m]` when `transA`.
    ///   - b: `B` stored `[k, n]` with leading dimension `ldb`, or `[n, k]` when `transB`.
    ///   - c: `C` stored `[m, n]` with leading dimension `ldc`.
    ///   - beta: when 0, C's old contents are ignored (even NaN).
    ///   - threads: thread count; `nil` uses `ComputeThreads.count`. Small products run serially.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0, threads: Int? = nil
    ) {
        multiply(
            m: m, n: n, k: k, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB,
            c: c, ldc: ldc, alpha: alpha, beta: beta, threads: threads ?? ComputeThreads.count,
            blocking: GEMMBlocking())
    }

    /// The plain triple loop with double accumulation: the oracle for tests. Same contract as
    /// `multiply`.
    public static func reference(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * lda + i] : a[i * lda + p]
                    let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + old)
            }
        }
    }

    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float, beta: Float, threads: Int, blocking: GEMMBlocking
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
        precondition(
            ldc >= n && lda >= (transA ? m : k) && ldb >= (transB ? k : n),
            "GEMM: leading dimension too small")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, rows: m, cols: n, ldc: ldc, by: beta)
            return
        }
        let problem = GEMMProblem(
            m: m, n: n, k: k, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB,
            c: c, ldc: ldc, alpha: alpha, beta: beta, blocking: blocking)
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        let wanted = flops < blocking.serialFlops ? 1 : max(1, threads)
        if wanted == 1 {
            problem.compute(rows: 0..<m, cols: 0..<n)
            return
        }
        // Threads claim rectangles of C dynamically; with piecesPerThread > 1 a thread that starts
        // late takes fewer (measured no gain on two cores, hence the default 1).
        let grid = threadGrid(threads: wanted * blocking.piecesPerThread, m: m, n: n, k: k)
        let pieces = grid.rows * grid.cols
        if pieces == 1 {
            problem.compute(rows: 0..<m, cols: 0..<n)
            return
        }
        let rowUnits = (m + gemmMR - 1) / gemmMR
        let colUnits = (n + 15) / 16
        let run: @Sendable (Int) -> Void = { index in
            let rowPart = split(units: rowUnits, parts: grid.rows, index: index / grid.cols)
            let colPart = split(units: colUnits, parts: grid.cols, index: index % grid.cols)
            let rows = min(m, rowPart.lowerBound * gemmMR)..<min(m, rowPart.upperBound * gemmMR)
            let cols = min(n, colPart.lowerBound * 16)..<min(n, colPart.upperBound * 16)
            if !rows.isEmpty && !cols.isEmpty { problem.compute(rows: rows, cols: cols) }
        }
        if blocking.spinningWorkers {
            ComputePool.shared.run(iterations: pieces, threads: wanted, run)
        } else {
            DispatchQueue.concurrentPerform(iterations: pieces, execute: run)
        }
    }

    /// Chooses a rows x cols grid of C rectangles for `threads` threads, minimising the packing
    /// that threads duplicate (each packs the A rows and B columns of its rectangle).
    static func threadGrid(threads: Int, m: Int, n: Int, k: Int) -> (rows: Int, cols: Int) {
        let rowUnits = (m + gemmMR - 1) / gemmMR
        let colUnits = (n + 15) / 16
        var count = min(threads, rowUnits * colUnits)
        while count > 1 {
            var best: (rows: Int, cols: Int)? = nil
            var bestCost = Double.infinity
            for rows in 1...count where count % rows == 0 {
                let cols = count / rows
                guard rows <= rowUnits && cols <= colUnits else { continue }
                // Packing duplicated, plus imbalance of the split in tile units.
                let packing = Double(cols) * Double(m) * Double(k) + Double(rows) * Double(k) * Double(n)
                let rowImbalance = Double((rowUnits + rows - 1) / rows * rows) / Double(rowUnits)
                let colImbalance = Double((colUnits + cols - 1) / cols * cols) / Double(colUnits)
                let cost =
                    packing + 2 * Double(m) * Double(n) * Double(k) / 16 * (rowImbalance * colImbalance - 1)
                if cost < bestCost {
                    bestCost = cost
                    best = (rows, cols)
                }
            }
            if let best { return best }
            count -= 1
        }
        return (1, 1)
    }

    /// Part `index` of `units` split into `parts` near-equal contiguous ranges.
    @inline(__always)
    static func split(units: Int, parts: Int, index: Int) -> Range<Int> {
        let base = units / parts
        let extra = units % parts
        let lower = index * base + min(index, extra)
        return lower..<(lower + base + (index < extra ? 1 : 0))
    }

    /// `C = beta * C` (beta == 0 writes zeros, ignoring NaN).
    static func scale(
        _ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int, by beta: Float
    ) {
        for i in 0..<rows {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: cols)
            } else if beta != 1 {
                for j in 0..<cols { row[j] *= beta }
            }
        }
    }
}

/// Cache blocking of `GEMM.multiply`; tunable so the benchmark can sweep it.
struct GEMMBlocking: Sendable {
    /// Depth of a packed block (the A micro-panel, `8 * kc` floats, stays in L1). Blocks are
    /// balanced (k 784 runs as 2 x 392). 512 against 256: equal on one thread, +5-10% on two
    /// (fewer passes over C). The sweep slices it further itself (`GEMMSweep`), so that
    /// both tile families sum in the same order and agree bitwise on every CPU.
    var kc = 512
    /// Columns of a packed B block (`kc * nc` floats, mostly in L2; balanced, so n 1024 runs as
    /// 2 x 512).
    var nc = 768
    /// Rows of transposed A packed together (a depth step then reads `mcTransposed` contiguous floats).
    var mcTransposed = 64
    /// Read A's rows in place instead of packing them (only when A is not transposed): `nil` lets the
    /// wide tiles always do so and the half tiles where C is narrow (`GEMMPlan`); `true`/`false` force
    /// it (tests).
    var inPlaceA: Bool? = nil
    /// Widest C for which A is read in place: packing A is worth it only when the packed panel
    /// serves many B panels.
    var inPlaceMaxColumns = 128
    /// Rectangles of C per thread (claimed dynamically).
    var piecesPerThread = 1
    /// Run threads on `ComputePool` (workers spin between calls) instead of `concurrentPerform`.
    var spinningWorkers = true
    /// The micro-kernels (wide with AVX-512, half tiles elsewhere).
    var tiles = GEMMTiles.detected
    /// Rows of A packed together for the half tiles, which sweep each B panel's depth slices over all
    /// of them (`GEMMSweep`). 128 against 64: equal where B is packed (a 1024-row C), but a batch
    /// of 128 rows is then one block, whose B the half tiles read in place (`inPlaceB`): 128x784x400
    /// 88.8 -> 93.2 GFLOP/s on one thread, 164 -> 173 on two (Zen 3, AVX2).
    var mcHalf = 128
    /// Depth of the half tiles' slices: how much of a B panel stays in L1 while the row tiles use it.
    var halfSlice = 128
    /// Let the tiles read B's rows in place instead of packing them (only when B is not transposed, and
    /// for the wide tiles only where A is packed): `nil` does so when a thread's rows of C are at most
    /// `mcHalf`, and B's row stride is not a multiple of 64 floats (such a stride puts a depth slice's
    /// rows into at most 16 of L1's 64 sets, which then evict each other: 128x1024x1024 in place ran at
    /// 57 GFLOP/s against 87 packed on the half tiles); `true`/`false` force it (tests). The sweep
    /// (`sweep`) then runs a single block of rows, which would read the packed block only once; the wide
    /// tiles in their own order read B once per 8 rows, from L2, as they read a packed block (a
    /// convolution's 32 or 64 weight rows against its unfolded images: 3% of a U-Net step was packing
    /// them, AVX-512), and only where B's rows are aligned to cache lines (`GEMMPlan`).
    var inPlaceB: Bool? = nil
    /// Let the sweep pack B one panel at a time, just before using it, where B is not read in place:
    /// `nil` does so for a single block of rows (as `inPlaceB`), `true`/`false` force it (tests).
    var packBPerPanel: Bool? = nil
    /// Run the wide tiles in the sweep order too (`GEMMSweep`; the half tiles always sweep): `nil` does so
    /// for a single block of rows (at most `mcHalf`, A packed and not transposed) whose B they would not
    /// read in place: transposed, with a row stride that is a multiple of 64 floats, or rows not aligned
    /// to cache lines. A slice of each panel then stays in L1 for all row tiles instead of the whole
    /// panel streaming from L2 for each (128x1024x1024 +2-14%; B transposed +2-7% on one thread, +3-15%
    /// on two; B's rows 16 bytes off cache lines, read in place, +6-8%; a 1024-row C swept in blocks of
    /// 128 rows 6-8% slower; AVX-512 Xeon); `true`/`false` force it (tests), and
    /// `MANIFOLD_GEMM_SWEEP=off` keeps the wide tiles in their own order, to compare.
    var sweep: Bool? = GEMMPlan.environmentSweep
    /// Products below this many floating-point operations run on one thread.
    var serialFlops = 3.0e6
}

/// One multiply's operands, shared read-only by the threads that compute its rectangles of C.
/// `@unchecked Sendable`: threads read A and B and write disjoint rectangles of C.
struct GEMMProblem: @unchecked Sendable {
    let m: Int, n: Int, k: Int
    let a: UnsafePointer<Float>, lda: Int, transA: Bool
    let b: UnsafePointer<Float>, ldb: Int, transB: Bool
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let alpha: Float, beta: Float
    let blocking: GEMMBlocking

    /// Computes the rectangle `C[rows, cols]`.
    func compute(rows: Range<Int>, cols: Range<Int>) {
        let mr = gemmMR
        if rows.count <= 2 {
            computeFewRows(rows: rows, cols: cols)
            return
        }
        let panelWidth = gemmMaxVectors * 16
        // Balanced blocks: k = 784 with kc 512 gives 2 blocks of 392, not 512 + 272.
        let kBlocks = (k + blocking.kc - 1) / blocking.kc
        let kcMax = (k + kBlocks - 1) / kBlocks
        let colCount = cols.count
        let nBlocks = (colCount + blocking.nc - 1) / blocking.nc
        let ncMax = ((colCount + nBlocks - 1) / nBlocks + 15) / 16 * 16
        let plan = GEMMPlan(
            rows: rows.count, n: n, transA: transA, transB: transB, ldb: ldb,
            bAligned: Int(bitPattern: b) % 64 == 0 && ldb % 16 == 0, blocking: blocking)
        let (inPlaceA, inPlaceB, sweep) = (plan.inPlaceA, plan.inPlaceB, plan.sweep)
        let (mcRows, packPerPanel) = (plan.mcRows, plan.packPerPanel)
        let workspace = GEMMWorkspace.take(
            bCapacity: kcMax * (ncMax + panelWidth), aCapacity: kcMax * mcRows,
            scratchCapacity: sweep ? mcRows * 48 : 0)
        defer { GEMMWorkspace.give(workspace) }
        let packedB = workspace.packedB
        let packedA = workspace.packedA
        let tile = workspace.tile

        var j0 = cols.lowerBound
        while j0 < cols.upperBound {
            let nc = min(ncMax, cols.upperBound - j0)
            var p0 = 0
            while p0 < k {
                let kc = min(kcMax, k - p0)
                // Pack op(B)[p0 ..< p0+kc, j0 ..< j0+nc] as panels 48 wide (the last narrower); with B
                // in place only a last panel whose width is not a multiple of 16.
                var offset = 0
                var j = 0
                while j < nc {
                    let cols = Self.panelColumns(remaining: nc - j, first: j == 0)
                    let width = (cols + 15) / 16 * 16
                    if !(inPlaceB || packPerPanel) || (inPlaceB && cols != width) {
                        GEMMPacking.packBPanel(
                            b, ldb: ldb, transB: transB, p0: p0, kc: kc, col0: j0 + j, cols: cols,
                            width: width, into: inPlaceB ? packedB : packedB + offset)
                    }
                    offset += kc * width
                    j += cols
                }
                let blockBeta = p0 == 0 ? beta : 1
                var block0 = rows.lowerBound
                while block0 < rows.upperBound {
                    // Pack a block of A micro-panels (transposed A is read a whole block row at once),
                    // unless the kernel reads A's rows in place.
                    let blockRows = min(mcRows, rows.upperBound - block0)
                    if sweep {
                        let sweepB: GEMMSweepB =
                            inPlaceB
                            ? .inPlace(b + p0 * ldb + j0, ldb: ldb, partial: packedB)
                            : packPerPanel
                                ? .packedPerPanel(b, ldb: ldb, transB: transB, p0: p0, col0: j0, buffer: packedB)
                                : .packed(packedB)
                        sweepTiles(
                            row0: block0, rows: blockRows, p0: p0, kc: kc, col0: j0, nc: nc, inPlaceA: inPlaceA,
                            b: sweepB, beta: blockBeta, workspace: workspace)
                        block0 += blockRows
                        continue
                    }
                    if !inPlaceA {
                        GEMMPacking.packABlock(
                            a, lda: lda, transA: transA, row0: block0, rows: blockRows, p0: p0, kc: kc, into: packedA)
                    }
                    var i0 = block0
                    var panelA = packedA
                    while i0 < block0 + blockRows {
                        let rowCount = min(mr, block0 + blockRows - i0)
                        let strided = inPlaceA && rowCount == mr
                        if inPlaceA && !strided {
                            GEMMPacking.packA(
                                a, lda: lda, transA: transA, row0: i0, rows: rowCount, p0: p0, kc: kc, into: packedA)
                        }
                        let rowsA = a + i0 * lda + p0
                        var offset = 0
                        var j = 0
                        while j < nc {
                            let cols = Self.panelColumns(remaining: nc - j, first: j == 0)
                            let vectors = (cols + 15) / 16
                            let cTile = c + i0 * ldc + j0 + j
                            let direct = rowCount == mr && cols == vectors * 16
                            let (target, ldt) = direct ? (cTile, ldc) : (tile, panelWidth)
                            let (tileAlpha, tileBeta) = direct ? (alpha, blockBeta) : (1, 0)
                            if strided && inPlaceB && cols == vectors * 16 {
                                gemmMicroKernelStridedInPlaceB(
                                    vectors: vectors, kc, rowsA, lda, b + p0 * ldb + j0 + j, ldb, target, ldt,
                                    tileAlpha, tileBeta)
                            } else if strided {
                                // With B in place, only a ragged last panel is packed, at the block's start.
                                gemmMicroKernelStrided(
                                    vectors: vectors, kc, rowsA, lda, inPlaceB ? packedB : packedB + offset, target,
                                    ldt, tileAlpha, tileBeta)
                            } else if inPlaceB && cols == vectors * 16 {
                                gemmMicroKernelInPlaceB(
                                    vectors: vectors, kc, panelA, b + p0 * ldb + j0 + j, ldb, target, ldt, tileAlpha,
                                    tileBeta)
                            } else if inPlaceB {
                                gemmMicroKernel(
                                    vectors: vectors, kc, panelA, packedB, target, ldt, tileAlpha, tileBeta)
                            } else {
                                gemmMicroKernel(
                                    vectors: vectors, kc, panelA, packedB + offset, target, ldt, tileAlpha, tileBeta)
                            }
                            if !direct {
                                for r in 0..<rowCount {
                                    let src = tile + r * panelWidth
                                    let dst = cTile + r * ldc
                                    if blockBeta == 0 {
                                        for q in 0..<cols { dst[q] = alpha * src[q] }
                                    } else {
                                        for q in 0..<cols { dst[q] = alpha * src[q] + blockBeta * dst[q] }
                                    }
                                }
                            }
                            offset += kc * vectors * 16
                            j += cols
                        }
                        i0 += mr
                        if !inPlaceA { panelA += kc * mr }
                    }
                    block0 += blockRows
                }
                p0 += kc
            }
            j0 += nc
        }
    }
}

extension GEMMProblem {
    /// Columns of the B panel that starts `remaining` columns before the end of a block: 48, or all that
    /// remain, except that a block's last 64 columns after a full panel run as 32 + 32 instead of 48 + 16.
    /// The 8x16 tile has eight accumulators, as many as the FMA units' latency needs to keep busy, and
    /// ran at about 73% of the 8x48 tile's rate (128x784x400, one thread); the 8x32 tile runs at its rate.
    /// 128x784x400 and 128x400x784 +0.5-1.4% on one thread, AVX-512 Xeon. A block only 64 wide keeps 48 + 16
    /// (cut as 32 + 32, the CNN's convolutions were 1-4% slower).
    @inline(__always)
    static func panelColumns(remaining: Int, first: Bool) -> Int {
        remaining == 64 && !first ? 32 : min(gemmMaxVectors * 16, remaining)
    }

    /// The tiles of rows `row0 ..< row0 + rows` against one packed B block in the sweep order
    /// (`GEMMSweep`), after packing those rows of A (or only a partial last tile, when A is read in place).
    private func sweepTiles(
        row0: Int, rows: Int, p0: Int, kc: Int, col0: Int, nc: Int, inPlaceA: Bool,
        b: GEMMSweepB, beta: Float, workspace: GEMMWorkspace
    ) {
        let sweepA: GEMMSweepA
        if inPlaceA {
            let full = rows / gemmMR * gemmMR
            if full < rows {
                GEMMPacking.packA(
                    a, lda: lda, transA: false, row0: row0 + full, rows: rows - full, p0: p0, kc: kc,
                    into: workspace.packedA)
            }
            sweepA = .inPlace(a + row0 * lda + p0, lda: lda, partial: workspace.packedA)
        } else {
            GEMMPacking.packABlock(
                a, lda: lda, transA: transA, row0: row0, rows: rows, p0: p0, kc: kc, into: workspace.packedA)
            sweepA = .packed(workspace.packedA)
        }
        GEMMSweep(
            rows: rows, kc: kc, nc: nc, a: sweepA, b: b, c: c + row0 * ldc + col0, ldc: ldc, tiles: blocking.tiles,
            alpha: alpha, beta: beta, slice: blocking.halfSlice
        ).run(scratch: workspace.scratch, tile: workspace.tile)
    }

    /// One or two rows (a batch of 1 or 2): vector-matrix products straight from the operands,
    /// since packing B costs more than the product itself. (Measured at k 1024, n 1024: 26 GFLOP/s
    /// for m 1 against 14 through the 8-row micro-kernel; from m 3 up the micro-kernel wins.)
    func computeFewRows(rows: Range<Int>, cols: Range<Int>) {
        let row = UnsafeMutablePointer<Float>.allocate(capacity: max(k, 1))
        defer { row.deallocate() }
        for i in rows {
            // Row i of op(A), contiguous.
            if transA {
                for p in 0..<k { row[p] = a[p * lda + i] }
            } else {
                row.update(from: a + i * lda, count: k)
            }
            let out = c + i * ldc
            if transB {
                for j in cols { store(dot(row, b + j * ldb), at: out + j) }
            } else {
                var j = cols.lowerBound
                while j + 64 <= cols.upperBound {
                    var (s0, s1, s2, s3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
                    var src = UnsafeRawPointer(b + j)
                    for p in 0..<k {
                        let x = SIMD16<Float>(repeating: row[p])
                        s0.addProduct(x, src.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self))
                        s1.addProduct(x, src.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
                        s2.addProduct(x, src.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self))
                        s3.addProduct(x, src.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
                        src += ldb * 4
                    }
                    for l in 0..<16 {
                        store(s0[l], at: out + j + l)
                        store(s1[l], at: out + j + 16 + l)
                        store(s2[l], at: out + j + 32 + l)
                        store(s3[l], at: out + j + 48 + l)
                    }
                    j += 64
                }
                while j < cols.upperBound {
                    var sum: Float = 0
                    for p in 0..<k { sum += row[p] * b[p * ldb + j] }
                    store(sum, at: out + j)
                    j += 1
                }
            }
        }
    }

    /// `x . y` over `k` elements.
    @inline(__always)
    private func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        ElementwiseKernels.dot(x, y, k)
    }

    /// `*target = alpha * value + beta * *target` (beta == 0 ignores the old value).
    @inline(__always)
    private func store(_ value: Float, at target: UnsafeMutablePointer<Float>) {
        target.pointee = beta == 0 ? alpha * value : alpha * value + beta * target.pointee
    }
}
