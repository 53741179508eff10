/// A right-hand operand `op(B)` [k, n] packed once into the GEMM micro-kernel's panel layout, for
/// products that multiply many left-hand matrices by the same B (a network's weights during
/// sampling: 1,000 steps of the same three layers).
///
/// `GEMM.multiply` packs B on every call, which at a batch of 64 rows against a 1024 x 1024 weight
/// costs about a sixth of the product; `GEMM.multiply(m:a:lda:packed:...)` skips that. The packing
/// is a snapshot: build a new one after B changes. Same blocking as `GEMM.multiply` (balanced depth
/// blocks of at most `kc`, panels at most 48 columns wide), so its products are bitwise those of
/// `GEMM.multiply` on the unpacked operands wherever that computes row tiles (not its one- and two-row
/// path), on either tile family (tested on random shapes).
///
/// The columns are laid out for the threads that will share the product (`parts`): each thread's
/// share is a near-equal run of 16-column vectors, cut into 48-column panels and a last narrower one.
/// Split by whole 48-column panels, n 784 gave one thread 432 columns and the other 352 (a tenth of
/// the layer lost waiting); split by vectors, 400 and 384.
public final class GEMMPackedMatrix: @unchecked Sendable {
    // @unchecked Sendable: the storage is written once in init and only read afterwards.
    public let k: Int
    public let n: Int
    let depthBlock: Int
    let blockCount: Int
    let panelCount: Int
    /// First column of each panel, and `n` after the last.
    let panelStarts: [Int]
    /// The threads the layout balances for, and each one's panels.
    let parts: Int
    let partPanels: [Range<Int>]
    /// Offset of (depth block, panel) in `storage`.
    let offsets: [Int]
    /// Floats allocated for the panels: each block's depth times each panel's columns rounded up to 16.
    let storageCount: Int
    let storage: UnsafeMutablePointer<Float>

    /// Packs `op(B)`: `b` is [k, n] with leading dimension `ldb`, or [n, k] when `transB`; `parts` is
    /// the number of threads the columns are balanced for (`ComputeThreads.count` by default).
    public init(k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, transB: Bool, parts: Int? = nil) {
        precondition(k > 0 && n > 0 && ldb >= (transB ? k : n), "GEMMPackedMatrix: bad shape")
        self.k = k
        self.n = n
        let kc = GEMMBlocking().kc
        blockCount = (k + kc - 1) / kc
        depthBlock = (k + blockCount - 1) / blockCount
        let panelWidth = gemmMaxVectors * 16
        let vectorCount = (n + 15) / 16
        self.parts = max(1, min(parts ?? ComputeThreads.count, vectorCount))
        var starts: [Int] = []
        var partPanels: [Range<Int>] = []
        for part in 0..<self.parts {
            let vectors = GEMM.split(units: vectorCount, parts: self.parts, index: part)
            let first = starts.count
            starts += Array(stride(from: vectors.lowerBound * 16, to: min(n, vectors.upperBound * 16), by: panelWidth))
            partPanels.append(first..<starts.count)
        }
        panelCount = starts.count
        panelStarts = starts + [n]
        self.partPanels = partPanels
        var offsets: [Int] = []
        var total = 0
        for block in 0..<blockCount {
            let depth = min(depthBlock, k - block * depthBlock)
            for panel in 0..<panelCount {
                offsets.append(total)
                let cols = panelStarts[panel + 1] - panelStarts[panel]
                total += depth * ((cols + 15) / 16 * 16)
            }
        }
        self.offsets = offsets
        storageCount = max(total, 16)
        storage = UnsafeMutableRawPointer.allocate(byteCount: storageCount * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: storageCount)
        for block in 0..<blockCount {
            let p0 = block * depthBlock
            let depth = min(depthBlock, k - p0)
            for panel in 0..<panelCount {
                let cols = panelStarts[panel + 1] - panelStarts[panel]
                GEMMPacking.packBPanel(
                    b, ldb: ldb, transB: transB, p0: p0, kc: depth, col0: panelStarts[panel], cols: cols,
                    width: (cols + 15) / 16 * 16, into: storage + offsets[block * panelCount + panel])
            }
        }
    }

    deinit { storage.deallocate() }

    /// Passes the columns of `panels` to `finished`, unless there are none.
    func report(_ panels: Range<Int>, to finished: ((Range<Int>) -> Void)?) {
        guard let finished, !panels.isEmpty else { return }
        finished(panelStarts[panels.lowerBound]..<panelStarts[panels.upperBound])
    }

    /// `C[rows, panels] (+)= A B` for whole panels `panels` and rows `0 ..< m`. The half tiles take the
    /// panels' columns as one run of 48-column panels, so only the last of `panels` may be narrower.
    func compute(
        m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float,
        panels: Range<Int>, tiles: GEMMTiles
    ) {
        if panels.isEmpty { return }
        let mr = gemmMR
        let panelWidth = gemmMaxVectors * 16
        var blocking = GEMMBlocking()
        blocking.tiles = tiles
        let halfSweep = blocking.tiles == .half
        let mcHalf = max(mr, blocking.mcHalf / mr * mr)
        let workspace = GEMMWorkspace.take(
            bCapacity: 0, aCapacity: depthBlock * mr, scratchCapacity: halfSweep ? mcHalf * 48 : 0)
        defer { GEMMWorkspace.give(workspace) }
        let tile = workspace.tile
        for block in 0..<blockCount {
            let p0 = block * depthBlock
            let depth = min(depthBlock, k - p0)
            let blockBeta = block == 0 ? beta : 1
            if halfSweep {
                // Whole row blocks, each panel's depth slices swept over them (`GEMMSweep`).
                let col0 = panelStarts[panels.lowerBound]
                let nc = panelStarts[panels.upperBound] - col0
                let packedB = storage + offsets[block * panelCount + panels.lowerBound]
                var row0 = 0
                while row0 < m {
                    let rows = min(mcHalf, m - row0)
                    let full = rows / mr * mr
                    if full < rows {
                        GEMMPacking.packA(
                            a, lda: lda, transA: false, row0: row0 + full, rows: rows - full, p0: p0, kc: depth,
                            into: workspace.packedA)
                    }
                    GEMMSweep(
                        rows: rows, kc: depth, nc: nc,
                        a: .inPlace(a + row0 * lda + p0, lda: lda, partial: workspace.packedA), b: .packed(packedB),
                        c: c + row0 * ldc + col0, ldc: ldc, tiles: .half, alpha: 1, beta: blockBeta,
                        slice: blocking.halfSlice
                    ).run(scratch: workspace.scratch, tile: tile)
                    row0 += rows
                }
                continue
            }
            var i0 = 0
            while i0 < m {
                let rowCount = min(mr, m - i0)
                // Full row tiles read A in place (stride lda); a partial one is packed, zero-padded.
                if rowCount < mr {
                    GEMMPacking.packA(
                        a, lda: lda, transA: false, row0: i0, rows: rowCount, p0: p0, kc: depth,
                        into: workspace.packedA)
                }
                for panel in panels {
                    let col0 = panelStarts[panel]
                    let cols = panelStarts[panel + 1] - col0
                    let vectors = (cols + 15) / 16
                    let packedB = storage + offsets[block * panelCount + panel]
                    let cTile = c + i0 * ldc + col0
                    let direct = rowCount == mr && cols == vectors * 16
                    let (target, ldt) = direct ? (cTile, ldc) : (tile, panelWidth)
                    if rowCount == mr {
                        gemmMicroKernelStrided(
                            vectors: vectors, depth, a + i0 * lda + p0, lda, packedB, target, ldt, 1,
                            direct ? blockBeta : 0)
                    } else {
                        gemmMicroKernel(vectors: vectors, depth, workspace.packedA, packedB, target, ldt, 1, 0)
                    }
                    if !direct {
                        for r in 0..<rowCount {
                            let src = tile + r * panelWidth
                            let dst = cTile + r * ldc
                            if blockBeta == 0 {
                                for q in 0..<cols { dst[q] = src[q] }
                            } else {
                                for q in 0..<cols { dst[q] = src[q] + blockBeta * dst[q] }
                            }
                        }
                    }
                }
                i0 += mr
            }
        }
    }
}

extension GEMM {
    /// `C = A B + beta C` with `A` [m, k] (row-major, leading dimension `lda`, not transposed) and a
    /// pre-packed `B` [k, n]. Threads split the columns by panels, so none repeats another's work.
    /// - Parameter finished: called on the computing thread with each run of columns of C (all `m`
    ///   rows) once it is final, while it is still in cache: the caller's bias and activation then run
    ///   on every thread instead of after the product on one.
    public static func multiply(
        m: Int, a: UnsafePointer<Float>, lda: Int, packed: GEMMPackedMatrix, c: UnsafeMutablePointer<Float>,
        ldc: Int, beta: Float = 0, threads: Int? = nil, finished: (@Sendable (Range<Int>) -> Void)? = nil
    ) {
        multiply(
            m: m, a: a, lda: lda, packed: packed, c: c, ldc: ldc, beta: beta, threads: threads, tiles: .detected,
            finished: finished)
    }

    /// `multiply` on the given tiles (tests run both families on one CPU).
    static func multiply(
        m: Int, a: UnsafePointer<Float>, lda: Int, packed: GEMMPackedMatrix, c: UnsafeMutablePointer<Float>,
        ldc: Int, beta: Float, threads: Int?, tiles: GEMMTiles, finished: (@Sendable (Range<Int>) -> Void)? = nil
    ) {
        precondition(m >= 0 && lda >= packed.k && ldc >= packed.n, "GEMM: leading dimension too small")
        if m == 0 { return }
        let flops = 2.0 * Double(m) * Double(packed.n) * Double(packed.k)
        let wanted =
            flops < GEMMBlocking().serialFlops ? 1 : min(max(1, threads ?? ComputeThreads.count), packed.parts)
        if wanted == 1 {
            for panels in packed.partPanels {
                packed.compute(m: m, a: a, lda: lda, c: c, ldc: ldc, beta: beta, panels: panels, tiles: tiles)
                packed.report(panels, to: finished)
            }
            return
        }
        let problem = PackedProblem(m: m, a: a, lda: lda, packed: packed, c: c, ldc: ldc, beta: beta)
        // Each thread takes whole parts of the layout, one at a time (the half tiles take a run of
        // panels whose only narrow one is its last).
        let parts = packed.parts
        ComputePool.shared.run(iterations: wanted, threads: wanted) { index in
            for part in split(units: parts, parts: wanted, index: index) {
                let panels = problem.packed.partPanels[part]
                problem.packed.compute(
                    m: problem.m, a: problem.a, lda: problem.lda, c: problem.c, ldc: problem.ldc, beta: problem.beta,
                    panels: panels, tiles: tiles)
                problem.packed.report(panels, to: finished)
            }
        }
    }
}

/// The operands of one pre-packed multiply, shared read-only by the threads (which write disjoint
/// columns of C). `@unchecked Sendable` for the raw pointers.
private struct PackedProblem: @unchecked Sendable {
    let m: Int
    let a: UnsafePointer<Float>
    let lda: Int
    let packed: GEMMPackedMatrix
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let beta: Float
}
