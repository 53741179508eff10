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
                    let cols = Self.panelColumns(remaining: nc - j, first: j == 0, sweep: sweep)
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
                            let cols = Self.panelColumns(remaining: nc - j, first: j == 0, sweep: sweep)
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
    /// remain, except that in the tiles' own order a block's last 64 columns after a full panel run as
    /// 32 + 32 instead of 48 + 16. The 8x16 tile has eight accumulators, as many as the FMA units' latency
    /// needs to keep busy, and ran at about 73% of the 8x48 tile's rate (128x784x400, one thread); the 8x32
    /// tile runs at its rate. 128x784x400 and 784x128x400 +0.5-1.4% on one thread, AVX-512 Xeon. A block
    /// only 64 wide keeps 48 + 16 (cut as 32 + 32, the CNN's convolutions were 1-4% slower). The sweep
    /// (`GEMMSweep`, either tile family) takes its panels from here too, with `sweep` (48 + 16), so it reads
    /// a block packed for it as the packing cut it.
    @inline(__always)
    static func panelColumns(remaining: Int, first: Bool, sweep: Bool) -> Int {
        remaining == 64 && !first && !sweep ? 32 : min(gemmMaxVectors * 16, remaining)
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
