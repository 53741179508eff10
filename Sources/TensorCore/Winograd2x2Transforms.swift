import Foundation

/// The three transforms of Winograd's minimal filtering algorithm F(2x2, 3x3) for a 3x3, stride-1,
/// padding-1 cross-correlation (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
/// CVPR 2016): each 2x2 block of the output is `A^T [(G g G^T) ⊙ (B^T d B)] A` for the 4x4 input
/// tile `d` around it and the 3x3 kernel `g`, 16 multiplications where the direct form takes 36.
///
/// Summed over the input channels, the 16 element-wise products become 16 matrix products
/// `M[ξ] = U[ξ] [outC, inC] x V[ξ] [inC, tiles]`, one per tile element ξ, which `GEMM` computes.
/// Layouts: `U` is `[16, outC, inC]`, `V` is `[16, inC, columns]`, `M` is `[16, outC, columns]`, where
/// a group's columns are its images' tiles, image after image, each image's tiles row by row.
struct Winograd2x2Transforms: WinogradTileTransforms {
    let channels: Int
    let outChannels: Int
    let height: Int
    let width: Int
    /// Tiles down and across: each covers 2x2 output pixels (the last row or column of tiles may
    /// hang over an odd edge; those pixels are computed on zero padding and not written).
    let tileRows: Int
    let tileColumns: Int

    init(channels: Int, outChannels: Int, height: Int, width: Int) {
        self.channels = channels
        self.outChannels = outChannels
        self.height = height
        self.width = width
        tileRows = (height + 1) / 2
        tileColumns = (width + 1) / 2
    }

    static let elements = 16

    /// Tiles per image.
    var tiles: Int { tileRows * tileColumns }

    /// `U[ξ][k][c] = (G g_kc G^T)[ξ]` for the weight `[outC, inC, 3, 3]`, with
    /// `G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]`.
    func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let plane = outChannels * channels
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 12) { t in  // G g: 4 rows, 3 columns
            for pair in 0..<plane { transformKernel(weight + pair * 9, t, into: u + pair, stride: plane) }
        }
    }

    /// `G g G^T` of one 3x3 kernel `g`, its 16 elements written `stride` floats apart.
    private func transformKernel(
        _ g: UnsafePointer<Float>, _ t: UnsafeMutableBufferPointer<Float>, into u: UnsafeMutablePointer<Float>,
        stride plane: Int
    ) {
        for j in 0..<3 {
            let (g0, g1, g2) = (g[j], g[3 + j], g[6 + j])
            t[j] = g0
            t[3 + j] = 0.5 * (g0 + g1 + g2)
            t[6 + j] = 0.5 * (g0 - g1 + g2)
            t[9 + j] = g2
        }
        for i in 0..<4 {
            let (t0, t1, t2) = (t[3 * i], t[3 * i + 1], t[3 * i + 2])
            u[(4 * i) * plane] = t0
            u[(4 * i + 1) * plane] = 0.5 * (t0 + t1 + t2)
            u[(4 * i + 2) * plane] = 0.5 * (t0 - t1 + t2)
            u[(4 * i + 3) * plane] = t2
        }
    }

    typealias Lanes = WinogradVectors.Lanes

    /// Tile columns rounded up to whole vectors: a tile row's transforms run on `span` lanes.
    var span: Int { (tileColumns + 7) / 8 * 8 }

    /// Floats of scratch `transformInput` needs: every padded row of a plane split into its even and
    /// odd pixels, 16 for a row's end, and the row transforms of every padded row.
    var inputScratch: Int { (2 * tileRows + 2) * (2 * (span + 8) + 4 * span) + 16 }

    /// Floats of scratch `transformOutput` needs: 16 for a row's end and a second output row.
    var outputScratch: Int { 16 + 2 * span }

    /// `V[ξ][c][image * tiles + tile] = (B^T d B)[ξ]` for the `count` images from `images` (NCHW), with
    /// `B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]`, where `d` is the tile's 4x4
    /// window of the zero-padded input; `columns` is the group's tile count (`rowStride` apart).
    ///
    /// Each padded row is split into its even and odd pixels, so that the row transform `d B` of all
    /// the tiles along it is four vector operations on neighbouring lanes; the column transform then
    /// combines four rows' results, 8 tiles per vector.
    func transformInput(
        _ images: UnsafePointer<Float>, count: Int, into v: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let (across, span) = (tileColumns, span)
        let stride = WinogradVectors.rowStride(columns: columns)
        let planeStride = channels * stride
        let paddedRows = 2 * tileRows + 2
        // Per padded row: even[i] = x[2i - 1] and odd[i] = x[2i] (zero outside the row), each
        // `span + 8` long. A plane's rows are all split before any is transformed: the transform reads
        // `even` one lane off the vectors that wrote it, which the store buffer cannot forward.
        let halfLength = span + 8
        let halves = scratch  // [paddedRows][2][halfLength]
        let stage = halves + paddedRows * 2 * halfLength
        let rows = stage + 16  // [paddedRows][4][span]
        let end = images + count * channels * height * width
        // Channel by channel, each channel's images in turn: a V row (one channel's tiles of one element)
        // is then written from start to end while it stays in L1. Image by image, a group of small
        // images wrote 64 bytes into each of 16 x channels rows, and came back to each row after L1 had
        // evicted it (one thread, AVX-512 Xeon: 64 channels at 7x7, 16 images, 422 -> 255 us; 128 at
        // 14x14, 5 images, 349 -> 284 us; a 28x28 image alone is one row either way).
        for c in 0..<channels {
            for image in 0..<count {
                let plane = images + (image * channels + c) * height * width
                // Padded pixel q is input pixel q - 1; the row is split 16 pixels at a time.
                for y in 0..<height {
                    let line = plane + y * width
                    let even = halves + (y + 1) * 2 * halfLength
                    let odd = even + halfLength
                    (even[0], odd[span]) = (0, 0)
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        let pixels = WinogradVectors.sixteen(line, from: 2 * lane, width: width, end: end, stage: stage)
                        WinogradVectors.store(pixels.evenHalf, odd + lane)
                        WinogradVectors.store(pixels.oddHalf, even + lane + 1)
                    }
                }
                for paddedRow in 0..<paddedRows {
                    let target = rows + paddedRow * 4 * span
                    guard paddedRow >= 1 && paddedRow <= height else {
                        target.update(repeating: 0, count: 4 * span)
                        continue
                    }
                    let even = halves + paddedRow * 2 * halfLength
                    let odd = even + halfLength
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        let (e0, e1) = (WinogradVectors.load(even + lane), WinogradVectors.load(even + lane + 1))
                        let (o0, o1) = (WinogradVectors.load(odd + lane), WinogradVectors.load(odd + lane + 1))
                        WinogradVectors.store(e0 - e1, target + lane)
                        WinogradVectors.store(o0 + e1, target + span + lane)
                        WinogradVectors.store(e1 - o0, target + 2 * span + lane)
                        WinogradVectors.store(o0 - o1, target + 3 * span + lane)
                    }
                }
                for ty in 0..<tileRows {
                    let top = rows + 2 * ty * 4 * span
                    let first = v + c * stride + image * tiles + ty * across
                    for j in 0..<4 {
                        let (r0, r1, r2, r3) = (
                            top + j * span, top + (4 + j) * span, top + (8 + j) * span, top + (12 + j) * span
                        )
                        for lane in Swift.stride(from: 0, to: span, by: 8) {
                            let (a0, a1) = (WinogradVectors.load(r0 + lane), WinogradVectors.load(r1 + lane))
                            let (a2, a3) = (WinogradVectors.load(r2 + lane), WinogradVectors.load(r3 + lane))
                            WinogradVectors.store(a0 - a2, first + j * planeStride + lane)
                            WinogradVectors.store(a1 + a2, first + (4 + j) * planeStride + lane)
                            WinogradVectors.store(a2 - a1, first + (8 + j) * planeStride + lane)
                            WinogradVectors.store(a1 - a3, first + (12 + j) * planeStride + lane)
                        }
                    }
                }
            }
        }
    }

    /// The output planes of the `count` images from `M` (the group's `columns` tiles, `rowStride`
    /// apart): each tile's `A^T m A` with `A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]`, plus the bias, written
    /// into `output` (NCHW), 8 tiles per vector; `stage` holds `outputScratch` floats.
    func transformOutput(
        _ m: UnsafePointer<Float>, columns: Int, count: Int, bias: UnsafePointer<Float>?,
        addends: WinogradOutputAddends, into output: UnsafeMutablePointer<Float>, stage: UnsafeMutablePointer<Float>
    ) {
        let (across, span) = (tileColumns, span)
        let stride = WinogradVectors.rowStride(columns: columns)
        let planeStride = outChannels * stride
        let bottom = stage + 16  // a tile row's second output row, 2 * span pixels
        let residualEnd = addends.residual.map { $0 + count * outChannels * height * width }
        // Channel by channel, each channel's images in turn, so that an M row is read from start to
        // end, as `transformInput` writes V. A whole-vector store may run past a plane's end into the
        // image's next planes (several, when a plane is smaller than a vector), which this order writes
        // later, but not into the next image's, whose first channels are written already: a plane's
        // stores stop at its image's end.
        for k in 0..<outChannels {
            for image in 0..<count {
                let plane = output + (image * outChannels + k) * height * width
                let end = output + (image + 1) * outChannels * height * width
                let shift = Lanes(repeating: bias?[k] ?? 0)
                let extra = addends.shift(image: image, channel: k, channels: outChannels)
                let residualPlane = addends.residual.map { $0 + (image * outChannels + k) * height * width }
                /// The residual's 16 pixels of output row `y` from pixel `x`, where there is a residual.
                @inline(__always) func withResidual(_ pixels: SIMD16<Float>, row y: Int, from x: Int) -> SIMD16<Float> {
                    guard let residualPlane, let residualEnd else { return pixels }
                    return pixels
                        + WinogradVectors.sixteen(
                            residualPlane + y * width, from: x, width: width, end: residualEnd, stage: stage)
                }
                for ty in 0..<tileRows {
                    let first = m + k * stride + image * tiles + ty * across
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        var s = (Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes())
                        @inline(__always) func column(_ j: Int) -> (Lanes, Lanes) {
                            let m0 = WinogradVectors.load(first + j * planeStride + lane)
                            let m1 = WinogradVectors.load(first + (4 + j) * planeStride + lane)
                            let m2 = WinogradVectors.load(first + (8 + j) * planeStride + lane)
                            let m3 = WinogradVectors.load(first + (12 + j) * planeStride + lane)
                            return (m0 + m1 + m2, m1 - m2 - m3)
                        }
                        (s.0, s.4) = column(0)
                        (s.1, s.5) = column(1)
                        (s.2, s.6) = column(2)
                        (s.3, s.7) = column(3)
                        let y00 = s.0 + s.1 + s.2 + shift + extra
                        let y01 = s.1 - s.2 - s.3 + shift + extra
                        let y10 = s.4 + s.5 + s.6 + shift + extra
                        let y11 = s.5 - s.6 - s.7 + shift + extra
                        let top = plane + 2 * ty * width
                        WinogradVectors.write(
                            withResidual(WinogradVectors.interleave(y00, y01), row: 2 * ty, from: 2 * lane), top,
                            from: 2 * lane, width: width, end: end, stage: stage)
                        UnsafeMutableRawPointer(bottom + 2 * lane).storeBytes(
                            of: WinogradVectors.interleave(y10, y11), as: SIMD16<Float>.self)
                    }
                    // The second row after the whole first one: the rows go out in address order.
                    if 2 * ty + 1 < height {
                        let line = plane + (2 * ty + 1) * width
                        for lane in Swift.stride(from: 0, to: span, by: 8) {
                            let pixels = withResidual(
                                UnsafeRawPointer(bottom + 2 * lane).loadUnaligned(as: SIMD16<Float>.self),
                                row: 2 * ty + 1, from: 2 * lane)
                            WinogradVectors.write(pixels, line, from: 2 * lane, width: width, end: end, stage: stage)
                        }
                    }
                }
            }
        }
    }
}
