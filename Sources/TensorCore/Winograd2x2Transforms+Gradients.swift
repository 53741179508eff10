/// F(2x2, 3x3) run backwards for the weight gradient: the adjoints of the output and weight transforms
/// (see `WinogradTileTransforms`). With `A`'s rows [1, 0], [1, 1], [1, -1], [0, -1] (the transpose of
/// `A^T` in `Winograd2x2Transforms`), a 2x2 block `y` of the output gradient becomes `A y A^T`, 16
/// elements, and `G^T dU G` takes 16 elements of a kernel's gradient back to its 3x3.
extension Winograd2x2Transforms {
    /// `A (y0, y1)^T` for 8 tiles at once, along a row or a column.
    @inline(__always)
    private static func throughA(_ y0: Lanes, _ y1: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        (y0, y0 + y1, y0 - y1, -y1)
    }

    /// Floats of scratch `transformOutputGradient` needs: 16 for a row's end.
    var outputGradientScratch: Int { 16 }

    /// `dM[ξ][k][image * tiles + tile] = (A y A^T)[ξ]` for each 2x2 block `y` of the output gradient
    /// (zero past the image's edge): each row pair split into even and odd pixels, 8 tiles per vector.
    /// Channel by channel, each channel's images in turn, so that `dM`'s rows are written from start to
    /// end (a tile row's whole vectors run up to 7 lanes into the next).
    func transformOutputGradient(
        _ gradient: UnsafePointer<Float>, count: Int, into dm: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let (across, span) = (tileColumns, span)
        let stride = WinogradVectors.rowStride(columns: columns)
        let planeStride = outChannels * stride
        let end = gradient + count * outChannels * height * width
        for k in 0..<outChannels {
            for image in 0..<count {
                let plane = gradient + (image * outChannels + k) * height * width
                for ty in 0..<tileRows {
                    let first = dm + k * stride + image * tiles + ty * across
                    let (top, bottom) = (plane + 2 * ty * width, plane + (2 * ty + 1) * width)
                    let hasBottom = 2 * ty + 1 < height
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        let upper = WinogradVectors.sixteen(top, from: 2 * lane, width: width, end: end, stage: scratch)
                        let lower =
                            hasBottom
                            ? WinogradVectors.sixteen(bottom, from: 2 * lane, width: width, end: end, stage: scratch)
                            : SIMD16()
                        let r0 = Self.throughA(upper.evenHalf, upper.oddHalf)
                        let r1 = Self.throughA(lower.evenHalf, lower.oddHalf)
                        @inline(__always) func down(_ j: Int, _ y0: Lanes, _ y1: Lanes) {
                            let t = Self.throughA(y0, y1)
                            let out = first + j * planeStride + lane
                            WinogradVectors.store(t.0, out)
                            WinogradVectors.store(t.1, out + 4 * planeStride)
                            WinogradVectors.store(t.2, out + 8 * planeStride)
                            WinogradVectors.store(t.3, out + 12 * planeStride)
                        }
                        down(0, r0.0, r1.0)
                        down(1, r0.1, r1.1)
                        down(2, r0.2, r1.2)
                        down(3, r0.3, r1.3)
                    }
                }
            }
        }
    }

    /// `G^T (x0, x1, x2, x3)^T` with `G`'s rows [1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1].
    @inline(__always)
    private static func throughGAdjoint(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let half = (x[1] + x[2]) / 2
        return SIMD4(x[0] + half, (x[1] - x[2]) / 2, half + x[3], 0)
    }

    /// `dW[k][c] = G^T dU[ξ][k][c] G`, in double precision and rounded once.
    func transformWeightGradient(_ du: UnsafePointer<Float>, into weight: UnsafeMutablePointer<Float>) {
        let plane = outChannels * channels
        for pair in 0..<plane {
            @inline(__always) func row(_ i: Int) -> SIMD4<Double> {
                Self.throughGAdjoint(
                    SIMD4(
                        Double(du[(4 * i) * plane + pair]), Double(du[(4 * i + 1) * plane + pair]),
                        Double(du[(4 * i + 2) * plane + pair]), Double(du[(4 * i + 3) * plane + pair])))
            }
            let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3))
            let g = weight + pair * 9
            for b in 0..<3 {
                let column = Self.throughGAdjoint(SIMD4(r0[b], r1[b], r2[b], r3[b]))
                for a in 0..<3 { g[3 * a + b] = Float(column[a]) }
            }
        }
    }
}
