import Foundation

/// The three transforms of Winograd's minimal filtering algorithm F(4x4, 3x3) for a 3x3, stride-1,
/// padding-1 cross-correlation (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
/// CVPR 2016), with the interpolation points 0, ±1, ±2 and ∞: each 4x4 block of the output is
/// `A^T [(G g G^T) ⊙ (B^T d B)] A` for the 6x6 input tile `d` around it and the 3x3 kernel `g`, 36
/// multiplications where the direct form takes 144 (F(2x2, 3x3) takes 64 for the same block).
///
/// `B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0],
/// [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]`, `G = [[1/4, 0, 0], [-1/6, -1/6, -1/6],
/// [-1/6, 1/6, -1/6], [1/24, 1/12, 1/6], [1/24, -1/12, 1/6], [0, 0, 1]]`,
/// `A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]`.
/// Element ξ = 6i + j of a tile is row i, column j of its 6x6 transform.
struct Winograd4x4Transforms: WinogradTileTransforms {
    let channels: Int
    let outChannels: Int
    let height: Int
    let width: Int
    /// Tiles down and across: each covers 4x4 output pixels (the last row or column of tiles may hang
    /// over the edge; those pixels are computed on zero padding and not written).
    let tileRows: Int
    let tileColumns: Int

    init(channels: Int, outChannels: Int, height: Int, width: Int) {
        self.channels = channels
        self.outChannels = outChannels
        self.height = height
        self.width = width
        tileRows = (height + 3) / 4
        tileColumns = (width + 3) / 4
    }

    static let elements = 36

    /// Whether F(4x4, 3x3) is the faster of the two for images this wide with this many input
    /// channels: its transforms run 8 tiles of a tile row per vector, so on narrow images (7 tiles of
    /// 2x2 but 4 of 4x4 on 14 pixels) most lanes idle, and with few input channels its dearer
    /// transforms outweigh the GEMMs it saves. One thread, AVX-512 Xeon, per 28x28 image, F(2x2) ->
    /// F(4x4): 32 -> 32 channels 106 -> 90 us, 96 -> 32 283 -> 223 us; 64 -> 64 at 14x14 85 -> 115 us,
    /// at 7x7 36 -> 50 us; 1 -> 32 at 28x28 slower too.
    static func suits(channels: Int, width: Int) -> Bool { width >= 24 && channels >= 16 }

    var tiles: Int { tileRows * tileColumns }

    typealias Lanes = WinogradVectors.Lanes

    /// Tile columns rounded up to whole vectors: a tile row's transforms run on `span` lanes.
    var span: Int { (tileColumns + 7) / 8 * 8 }

    /// `G (g0, g1, g2)^T`: one column (or row) of a kernel through `G`, in double precision, in the
    /// first six lanes.
    @inline(__always)
    private static func throughG(_ g0: Double, _ g1: Double, _ g2: Double) -> SIMD8<Double> {
        let (outer, middle) = (g0 + g2, g1)
        return SIMD8(
            g0 / 4, -(outer + middle) / 6, -(outer - middle) / 6, g0 / 24 + g1 / 12 + g2 / 6,
            g0 / 24 - g1 / 12 + g2 / 6, g2, 0, 0)
    }

    /// `U[ξ][k][c] = (G g_kc G^T)[ξ]` for the weight `[outC, inC, 3, 3]`, computed in double precision
    /// (the fractions of `G` are not exact in float) and rounded once.
    func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let plane = outChannels * channels
        for pair in 0..<plane {
            let g = weight + pair * 9
            // G g, as its three columns: each column of the kernel through G.
            let (c0, c1, c2) = (
                Self.throughG(Double(g[0]), Double(g[3]), Double(g[6])),
                Self.throughG(Double(g[1]), Double(g[4]), Double(g[7])),
                Self.throughG(Double(g[2]), Double(g[5]), Double(g[8]))
            )
            for i in 0..<6 {
                let row = Self.throughG(c0[i], c1[i], c2[i])
                for j in 0..<6 { u[(6 * i + j) * plane + pair] = Float(row[j]) }
            }
        }
    }

    /// `B^T (d0, ..., d5)^T` for 8 tiles at once: the input transform along a row or a column.
    @inline(__always)
    private static func throughB(
        _ d0: Lanes, _ d1: Lanes, _ d2: Lanes, _ d3: Lanes, _ d4: Lanes, _ d5: Lanes
    ) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let (two, four) = (Lanes(repeating: 2), Lanes(repeating: 4))
        let (even, odd) = (d4 - d2, d3 - d1)
        return (
            (d4 - d2).addingProduct(four, d0 - d2), (d3 + d4).addingProduct(-four, d1 + d2),
            (d4 - d3).addingProduct(four, d1 - d2), even.addingProduct(two, odd), even.addingProduct(-two, odd),
            (d5 - d3).addingProduct(four, d1 - d3)
        )
    }

    /// Floats of scratch `transformInput` needs: every padded row of a plane split into four phases,
    /// 16 for a row's end, and the row transforms of every padded row.
    var inputScratch: Int { (4 * tileRows + 2) * (4 * (span + 8) + 6 * span) + 16 }

    /// `V[ξ][c][image * tiles + tile] = (B^T d B)[ξ]` for the `count` images from `images` (NCHW), where
    /// `d` is the tile's 6x6 window of the zero-padded input; `columns` is the group's tile count
    /// (`rowStride` apart).
    ///
    /// Each padded row is split into four phases (pixels 4i - 1, 4i, 4i + 1, 4i + 2 for tile i), so
    /// that the row transform `d B` of all the tiles along it is vector arithmetic on neighbouring
    /// lanes; the column transform then combines six rows' results, 8 tiles per vector. Channel by
    /// channel, each channel's images in turn, as `Winograd2x2Transforms` does and for its reason.
    /// A plane's rows are all split before any is transformed: the transform reads the phases one lane
    /// off the vectors that wrote them, which the store buffer cannot forward, so the reads wait until
    /// those stores have reached the cache (split and transformed row by row, a third of the time went
    /// on that wait).
    func transformInput(
        _ images: UnsafePointer<Float>, count: Int, into v: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let (across, span) = (tileColumns, span)
        let stride = WinogradVectors.rowStride(columns: columns)
        let planeStride = channels * stride
        let paddedRows = 4 * tileRows + 2
        // Per padded row: x[4i], x[4i + 1], x[4i + 2] at lane i of its phases 0 to 2, x[4i + 3] at
        // lane i + 1 of phase 3 (lane 0 is x[-1], zero).
        let phaseLength = span + 8
        let phases = scratch  // [paddedRows][4][phaseLength]
        let stage = phases + paddedRows * 4 * phaseLength
        let rows = stage + 16  // [paddedRows][6][span]
        let end = images + count * channels * height * width
        for c in 0..<channels {
            for image in 0..<count {
                let plane = images + (image * channels + c) * height * width
                for y in 0..<height {
                    let line = plane + y * width
                    let p0 = phases + (y + 1) * 4 * phaseLength
                    let (p1, p2, p3) = (p0 + phaseLength, p0 + 2 * phaseLength, p0 + 3 * phaseLength)
                    (p3[0], p0[span]) = (0, 0)
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        let low = WinogradVectors.sixteen(line, from: 4 * lane, width: width, end: end, stage: stage)
                        let high = WinogradVectors.sixteen(
                            line, from: 4 * lane + 16, width: width, end: end, stage: stage)
                        let even = SIMD16(lowHalf: low.evenHalf, highHalf: high.evenHalf)
                        let odd = SIMD16(lowHalf: low.oddHalf, highHalf: high.oddHalf)
                        WinogradVectors.store(even.evenHalf, p0 + lane)
                        WinogradVectors.store(odd.evenHalf, p1 + lane)
                        WinogradVectors.store(even.oddHalf, p2 + lane)
                        WinogradVectors.store(odd.oddHalf, p3 + lane + 1)
                    }
                }
                for paddedRow in 0..<paddedRows {
                    let target = rows + paddedRow * 6 * span
                    guard paddedRow >= 1 && paddedRow <= height else {
                        target.update(repeating: 0, count: 6 * span)
                        continue
                    }
                    let p0 = phases + paddedRow * 4 * phaseLength
                    let (p1, p2, p3) = (p0 + phaseLength, p0 + 2 * phaseLength, p0 + 3 * phaseLength)
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        let r = Self.throughB(
                            WinogradVectors.load(p3 + lane), WinogradVectors.load(p0 + lane),
                            WinogradVectors.load(p1 + lane), WinogradVectors.load(p2 + lane),
                            WinogradVectors.load(p3 + lane + 1), WinogradVectors.load(p0 + lane + 1))
                        WinogradVectors.store(r, target + lane, stride: span)
                    }
                }
                for ty in 0..<tileRows {
                    let top = rows + 4 * ty * 6 * span
                    let first = v + c * stride + image * tiles + ty * across
                    for j in 0..<6 {
                        for lane in Swift.stride(from: 0, to: span, by: 8) {
                            @inline(__always) func row(_ p: Int) -> Lanes {
                                WinogradVectors.load(top + (6 * p + j) * span + lane)
                            }
                            let t = Self.throughB(row(0), row(1), row(2), row(3), row(4), row(5))
                            WinogradVectors.store(t, first + j * planeStride + lane, stride: 6 * planeStride)
                        }
                    }
                }
            }
        }
    }

    /// `A^T (m0, ..., m5)^T` for 8 tiles at once: the output transform along a column or a row.
    @inline(__always)
    private static func throughA(
        _ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes, _ m4: Lanes, _ m5: Lanes
    ) -> (Lanes, Lanes, Lanes, Lanes) {
        let (sum12, difference12, sum34, difference34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4)
        return (
            m0 + sum12 + sum34, difference12.addingProduct(Lanes(repeating: 2), difference34),
            sum12.addingProduct(Lanes(repeating: 4), sum34),
            (difference12 + m5).addingProduct(Lanes(repeating: 8), difference34)
        )
    }

    /// `[a0, b0, c0, d0, a1, b1, c1, d1, ...]`: four vectors of 8 tiles' pixels as 32 pixels of a row.
    @inline(__always)
    private static func interleave(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> (SIMD16<Float>, SIMD16<Float>) {
        (
            SIMD16(a[0], b[0], c[0], d[0], a[1], b[1], c[1], d[1], a[2], b[2], c[2], d[2], a[3], b[3], c[3], d[3]),
            SIMD16(a[4], b[4], c[4], d[4], a[5], b[5], c[5], d[5], a[6], b[6], c[6], d[6], a[7], b[7], c[7], d[7])
        )
    }

    /// Floats of scratch `transformOutput` needs: 16 for a row's end and a tile row's column transforms
    /// (4 x 6 vectors per 8 tiles).
    var outputScratch: Int { 16 + 24 * span }

    /// The output planes of the `count` images from `M` (the group's `columns` tiles, `rowStride`
    /// apart): each tile's `A^T m A`, plus the bias, then the addends, written into `output` (NCHW), 8
    /// tiles per vector; `stage` holds `outputScratch` floats. Down each column of a tile row first
    /// (into scratch), then along each output row, the rows in address order (see `WinogradVectors.write`).
    func transformOutput(
        _ m: UnsafePointer<Float>, columns: Int, count: Int, bias: UnsafePointer<Float>?,
        addends: WinogradOutputAddends, into output: UnsafeMutablePointer<Float>, stage: UnsafeMutablePointer<Float>
    ) {
        let (across, span) = (tileColumns, span)
        let stride = WinogradVectors.rowStride(columns: columns)
        let planeStride = outChannels * stride
        let end = output + count * outChannels * height * width
        let residualEnd = addends.residual.map { $0 + count * outChannels * height * width }
        let down = stage + 16  // [4][6][span]: A^T m of a tile row, row r, column j
        for image in 0..<count {
            for k in 0..<outChannels {
                let plane = output + (image * outChannels + k) * height * width
                let residualPlane = addends.residual.map { $0 + (image * outChannels + k) * height * width }
                let shift = Lanes(repeating: bias?[k] ?? 0)
                let extra = addends.shift(image: image, channel: k, channels: outChannels)
                for ty in 0..<tileRows {
                    let first = m + k * stride + image * tiles + ty * across
                    for j in 0..<6 {
                        for lane in Swift.stride(from: 0, to: span, by: 8) {
                            let column = first + j * planeStride + lane
                            let t = Self.throughA(
                                WinogradVectors.load(column), WinogradVectors.load(column + 6 * planeStride),
                                WinogradVectors.load(column + 12 * planeStride),
                                WinogradVectors.load(column + 18 * planeStride),
                                WinogradVectors.load(column + 24 * planeStride),
                                WinogradVectors.load(column + 30 * planeStride))
                            let target = down + j * span + lane
                            WinogradVectors.store(t.0, target)
                            WinogradVectors.store(t.1, target + 6 * span)
                            WinogradVectors.store(t.2, target + 12 * span)
                            WinogradVectors.store(t.3, target + 18 * span)
                        }
                    }
                    for r in 0..<4 where 4 * ty + r < height {
                        let line = plane + (4 * ty + r) * width
                        for lane in Swift.stride(from: 0, to: span, by: 8) {
                            let row = down + 6 * r * span + lane
                            let y = Self.throughA(
                                WinogradVectors.load(row), WinogradVectors.load(row + span),
                                WinogradVectors.load(row + 2 * span), WinogradVectors.load(row + 3 * span),
                                WinogradVectors.load(row + 4 * span), WinogradVectors.load(row + 5 * span))
                            var pixels = Self.interleave(
                                y.0 + shift + extra, y.1 + shift + extra, y.2 + shift + extra, y.3 + shift + extra)
                            if let residualPlane, let residualEnd {
                                let source = residualPlane + (4 * ty + r) * width
                                pixels.0 += WinogradVectors.sixteen(
                                    source, from: 4 * lane, width: width, end: residualEnd, stage: stage)
                                pixels.1 += WinogradVectors.sixteen(
                                    source, from: 4 * lane + 16, width: width, end: residualEnd, stage: stage)
                            }
                            WinogradVectors.write(pixels.0, line, from: 4 * lane, width: width, end: end, stage: stage)
                            WinogradVectors.write(
                                pixels.1, line, from: 4 * lane + 16, width: width, end: end, stage: stage)
                        }
                    }
                }
            }
        }
    }
}
