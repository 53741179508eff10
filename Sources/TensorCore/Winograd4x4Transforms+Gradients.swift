/// F(4x4, 3x3) run backwards for the weight gradient: the adjoints of the output and weight transforms
/// (see `WinogradTileTransforms`). With `A` the transpose of `A^T` in `Winograd4x4Transforms`, a 4x4
/// block `y` of the output gradient becomes `A y A^T`, 36 elements, and `G^T dU G` takes 36 elements of
/// a kernel's gradient back to its 3x3.
extension Winograd4x4Transforms {
    /// `A (y0, y1, y2, y3)^T` for 8 tiles at once: the output transform's adjoint along a row or a column
    /// (`A`'s rows: [1, 0, 0, 0], [1, 1, 1, 1], [1, -1, 1, -1], [1, 2, 4, 8], [1, -2, 4, -8], [0, 0, 0, 1]).
    @inline(__always)
    private static func throughA(
        _ y0: Lanes, _ y1: Lanes, _ y2: Lanes, _ y3: Lanes
    ) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let (two, four) = (Lanes(repeating: 2), Lanes(repeating: 4))
        let (even, odd) = (y0 + y2, y1 + y3)
        let (near, far) = (y0.addingProduct(four, y2), y1.addingProduct(four, y3))
        return (y0, even + odd, even - odd, near.addingProduct(two, far), near.addingProduct(-two, far), y3)
    }

    /// Floats of scratch `transformOutputGradient` needs: 16 for a row's end and the row transforms of
    /// a tile row's four rows, 8 tiles at a time.
    var outputGradientScratch: Int { 16 + 4 * 6 * 8 }

    /// `dM[ξ][k][image * tiles + tile] = (A y A^T)[ξ]` for each 4x4 block `y` of the output gradient
    /// (zero past the image's edge). Each row of a tile row is split into its four phases (pixels 4i to
    /// 4i + 3 for tile i) and transformed along, 8 tiles per vector; the four rows' results are then
    /// transformed down. Channel by channel, each channel's images in turn, so that `dM`'s rows are
    /// written from start to end (a tile row's whole vectors run up to 7 lanes into the next).
    func transformOutputGradient(
        _ gradient: UnsafePointer<Float>, count: Int, into dm: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let (across, span) = (tileColumns, span)
        let stride = WinogradVectors.rowStride(columns: columns)
        let planeStride = outChannels * stride
        let end = gradient + count * outChannels * height * width
        let stage = scratch
        let rows = scratch + 16  // [4][6][8]: row r's transform, element j, 8 tiles
        for k in 0..<outChannels {
            for image in 0..<count {
                let plane = gradient + (image * outChannels + k) * height * width
                for ty in 0..<tileRows {
                    let first = dm + k * stride + image * tiles + ty * across
                    for lane in Swift.stride(from: 0, to: span, by: 8) {
                        for r in 0..<4 {
                            let target = rows + r * 48
                            guard 4 * ty + r < height else {
                                target.update(repeating: 0, count: 48)
                                continue
                            }
                            let line = plane + (4 * ty + r) * width
                            let low = WinogradVectors.sixteen(
                                line, from: 4 * lane, width: width, end: end, stage: stage)
                            let high = WinogradVectors.sixteen(
                                line, from: 4 * lane + 16, width: width, end: end, stage: stage)
                            let even = SIMD16(lowHalf: low.evenHalf, highHalf: high.evenHalf)
                            let odd = SIMD16(lowHalf: low.oddHalf, highHalf: high.oddHalf)
                            let t = Self.throughA(even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf)
                            WinogradVectors.store(t, target, stride: 8)
                        }
                        for j in 0..<6 {
                            let t = Self.throughA(
                                WinogradVectors.load(rows + 8 * j), WinogradVectors.load(rows + 48 + 8 * j),
                                WinogradVectors.load(rows + 96 + 8 * j), WinogradVectors.load(rows + 144 + 8 * j))
                            WinogradVectors.store(t, first + j * planeStride + lane, stride: 6 * planeStride)
                        }
                    }
                }
            }
        }
    }

    /// `G^T (x0, ..., x5)^T`: six elements back to three through the weight transform's adjoint.
    @inline(__always)
    private static func throughGAdjoint(_ x: SIMD8<Double>) -> SIMD4<Double> {
        let (sum12, difference12) = (x[1] + x[2], x[1] - x[2])
        let (sum34, difference34) = (x[3] + x[4], x[3] - x[4])
        return SIMD4(
            x[0] / 4 - sum12 / 6 + sum34 / 24, -difference12 / 6 + difference34 / 12, -sum12 / 6 + sum34 / 6 + x[5],
            0)
    }

    /// `dW[k][c] = G^T dU[ξ][k][c] G`, in double precision and rounded once.
    func transformWeightGradient(_ du: UnsafePointer<Float>, into weight: UnsafeMutablePointer<Float>) {
        let plane = outChannels * channels
        for pair in 0..<plane {
            // Each row of the 6x6 through G^T (six rows of three), then each of the three columns.
            @inline(__always) func row(_ i: Int) -> SIMD4<Double> {
                var x = SIMD8<Double>()
                for j in 0..<6 { x[j] = Double(du[(6 * i + j) * plane + pair]) }
                return Self.throughGAdjoint(x)
            }
            let (r0, r1, r2, r3, r4, r5) = (row(0), row(1), row(2), row(3), row(4), row(5))
            let g = weight + pair * 9
            for b in 0..<3 {
                let column = Self.throughGAdjoint(SIMD8(r0[b], r1[b], r2[b], r3[b], r4[b], r5[b], 0, 0))
                for a in 0..<3 { g[3 * a + b] = Float(column[a]) }
            }
        }
    }
}
