/// Where the sweep's tiles of one row block read op(A): packed micro-panels (`[kc][8]` each, one per
/// row tile, the last zero-padded), or A's rows in place with a packed copy of a partial last tile.
enum GEMMSweepA {
    case packed(UnsafePointer<Float>)
    case inPlace(UnsafePointer<Float>, lda: Int, partial: UnsafePointer<Float>)
}

/// Where the sweep's tiles read op(B): the packed block (panels 48 columns wide, the last rounded up to
/// 16, each `kc` deep, as `GEMMProblem.compute` packs them), or B's rows in place (`ldb` apart, from the
/// block's first column) with a packed copy of a last panel whose width is not a multiple of 16.
///
/// `packedPerPanel`: op(B) packed one panel at a time, just before the sweep uses it, into `buffer`
/// (`kc x 48` floats) from `b` (`transB` as for `GEMM.multiply`) at depth `p0` and column `col0`: for a
/// single block of rows, whose packed block would be read once, so a panel is used while it is still in
/// L1 instead of after the whole block has been packed (and, when the block outgrows L2, evicted).
enum GEMMSweepB {
    case packed(UnsafePointer<Float>)
    case inPlace(UnsafePointer<Float>, ldb: Int, partial: UnsafePointer<Float>)
    case packedPerPanel(
        UnsafePointer<Float>, ldb: Int, transB: Bool, p0: Int, col0: Int, buffer: UnsafeMutablePointer<Float>)
}

/// The 8-row tiles over one packed block of B and one block of rows, in the BLIS loop order (Van Zee
/// and van de Geijn, 2015): for each B panel, for each depth slice, every row tile of the block. The
/// slice of the panel (at most `slice` x 48 floats) then stays in L1 while all row tiles use it; each
/// tile's partial sums wait, unrounded, in `scratch` (384 floats a tile). With the row tiles outside
/// (`GEMMProblem.compute`'s own order) the whole `kc`-deep panel streams from L2 for every tile. The half
/// tiles always run this way; the wide tiles where `GEMMBlocking.sweep` says. Every element is summed in
/// the same order either way, so the results stay bitwise equal.
struct GEMMSweep {
    let rows: Int
    let kc: Int
    let nc: Int
    let a: GEMMSweepA
    let b: GEMMSweepB
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    /// Which micro-kernels compute a tile's slice: the wide ones (one 8-row call) or two half tiles.
    let tiles: GEMMTiles
    let alpha: Float
    let beta: Float
    /// Depth of a slice.
    let slice: Int

    /// Runs the block; `scratch` holds `384 * ceil(rows / 8)` floats, `tile` 384.
    func run(scratch: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        let tileCount = (rows + gemmMR - 1) / gemmMR
        let tileFloats = gemmMR * 48
        var panelOffset = 0
        var j = 0
        while j < nc {
            let cols = GEMMProblem.panelColumns(remaining: nc - j, first: j == 0, sweep: true)
            let vectors = (cols + 15) / 16
            let width = vectors * 16
            let (panel, ldb): (UnsafePointer<Float>, Int)
            switch b {
            case .packed(let packedB): (panel, ldb) = (packedB + panelOffset, width)
            case .inPlace(let rowsB, let ldbB, let partial):
                (panel, ldb) = cols == width ? (rowsB + j, ldbB) : (partial, width)
            case .packedPerPanel(let source, let ldbB, let transB, let p0, let col0, let buffer):
                GEMMPacking.packBPanel(
                    source, ldb: ldbB, transB: transB, p0: p0, kc: kc, col0: col0 + j, cols: cols, width: width,
                    into: buffer)
                (panel, ldb) = (UnsafePointer(buffer), width)
            }
            var s0 = 0
            while s0 < kc {
                let depth = min(slice, kc - s0)
                let first = s0 == 0
                let last = s0 + depth == kc
                let bSlice = panel + s0 * ldb
                for t in 0..<tileCount {
                    let rowCount = min(gemmMR, rows - t * gemmMR)
                    let direct = rowCount == gemmMR && cols == width
                    let cTile = c + t * gemmMR * ldc + j
                    let (target, ldt) = direct ? (cTile, ldc) : (tile, 48)
                    let (tileAlpha, tileBeta) = direct ? (alpha, beta) : (1, 0)
                    let acc = scratch + t * tileFloats
                    switch a {
                    case .packed(let panels):
                        Self.packedSlice(
                            tiles, vectors, depth, panels + t * kc * gemmMR + s0 * gemmMR, bSlice, ldb, target, ldt,
                            tileAlpha,
                            tileBeta, acc, first, last)
                    case .inPlace(let rowsA, let lda, let partial):
                        if rowCount == gemmMR {
                            Self.stridedSlice(
                                tiles, vectors, depth, rowsA + t * gemmMR * lda + s0, lda, bSlice, ldb, target, ldt,
                                tileAlpha,
                                tileBeta, acc, first, last)
                        } else {
                            Self.packedSlice(
                                tiles, vectors, depth, partial + s0 * gemmMR, bSlice, ldb, target, ldt, tileAlpha,
                                tileBeta,
                                acc,
                                first, last)
                        }
                    }
                    if last && !direct {
                        for r in 0..<rowCount {
                            let src = tile + r * 48
                            let dst = cTile + r * ldc
                            if beta == 0 {
                                for q in 0..<cols { dst[q] = alpha * src[q] }
                            } else {
                                for q in 0..<cols { dst[q] = alpha * src[q] + beta * dst[q] }
                            }
                        }
                    }
                }
                s0 += depth
            }
            panelOffset += kc * width
            j += cols
        }
    }

    /// One depth slice of one 8-row tile from a packed A micro-panel: one wide call, or two halves of 4
    /// rows.
    @inline(__always)
    private static func packedSlice(
        _ tiles: GEMMTiles, _ vectors: Int, _ depth: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,
        _ acc: UnsafeMutablePointer<Float>, _ first: Bool, _ last: Bool
    ) {
        if tiles == .wide {
            gemmSliceKernel(vectors: vectors, depth, a, b, ldb, c, ldc, alpha, beta, acc, first: first, last: last)
            return
        }
        for half in 0..<2 {
            let ah = a + 4 * half
            let ch = c + 4 * half * ldc
            let sh = acc + 4 * half * 48
            switch vectors {
            case 1:
                gemmHalfKernel4x16(depth, ah, b, ldb, ch, ldc, alpha, beta, sh, first: first, last: last)
            case 2:
                gemmHalfKernel4x16(depth, ah, b, ldb, ch, ldc, alpha, beta, sh, first: first, last: last)
                gemmHalfKernel4x16(depth, ah, b + 16, ldb, ch + 16, ldc, alpha, beta, sh + 16, first: first, last: last)
            default:
                gemmHalfKernel4x24(depth, ah, b, ldb, ch, ldc, alpha, beta, sh, first: first, last: last)
                gemmHalfKernel4x24(depth, ah, b + 24, ldb, ch + 24, ldc, alpha, beta, sh + 24, first: first, last: last)
            }
        }
    }

    /// One depth slice of one 8-row tile with A's rows read in place (`lda` apart).
    @inline(__always)
    private static func stridedSlice(
        _ tiles: GEMMTiles, _ vectors: Int, _ depth: Int, _ a: UnsafePointer<Float>, _ lda: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ beta: Float,
        _ acc: UnsafeMutablePointer<Float>, _ first: Bool, _ last: Bool
    ) {
        if tiles == .wide {
            gemmSliceKernelStrided(
                vectors: vectors, depth, a, lda, b, ldb, c, ldc, alpha, beta, acc, first: first, last: last)
            return
        }
        for half in 0..<2 {
            let ah = a + 4 * half * lda
            let ch = c + 4 * half * ldc
            let sh = acc + 4 * half * 48
            switch vectors {
            case 1:
                gemmHalfKernelStrided4x16(depth, ah, lda, b, ldb, ch, ldc, alpha, beta, sh, first: first, last: last)
            case 2:
                gemmHalfKernelStrided4x16(depth, ah, lda, b, ldb, ch, ldc, alpha, beta, sh, first: first, last: last)
                gemmHalfKernelStrided4x16(
                    depth, ah, lda, b + 16, ldb, ch + 16, ldc, alpha, beta, sh + 16, first: first, last: last)
            default:
                gemmHalfKernelStrided4x24(depth, ah, lda, b, ldb, ch, ldc, alpha, beta, sh, first: first, last: last)
                gemmHalfKernelStrided4x24(
                    depth, ah, lda, b + 24, ldb, ch + 24, ldc, alpha, beta, sh + 24, first: first, last: last)
            }
        }
    }
}
