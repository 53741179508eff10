import Testing

@testable import TensorCore

/// `upsampleNearest(factor:concatenatedWith:)` against the two ops it joins, and `upsampleNearest` itself
/// against the definition (its rows by 2 are written eight pixels at a time).
@Suite struct UpsampleConcatenationTests {
    /// batch, channels, the other's channels, height, width, factor: rows shorter and longer than a
    /// vector and with a tail, the U-Net's joins (64 + 64 at 14x14, 64 + 32 at 28x28), factors 1 to 3.
    static let shapes = [
        (2, 3, 2, 5, 7, 2), (1, 64, 64, 7, 7, 2), (3, 64, 32, 14, 14, 2), (2, 2, 3, 4, 9, 3), (2, 1, 1, 1, 1, 1),
        (4, 5, 1, 3, 17, 2), (1, 2, 2, 2, 8, 2), (2, 3, 4, 6, 16, 1),
    ]

    static func inputs(_ shape: (Int, Int, Int, Int, Int, Int)) -> (Tensor, Tensor) {
        let (batch, channels, otherChannels, height, width, factor) = shape
        var rng = RandomGenerator(seed: UInt64(batch * 97 + channels * 13 + width + factor))
        return (
            Tensor.randomNormal([batch, channels, height, width], generator: &rng),
            Tensor.randomNormal([batch, otherChannels, height * factor, width * factor], generator: &rng)
        )
    }

    @Test(arguments: shapes)
    func joinedIsBitwiseTheTwoOps(shape: (Int, Int, Int, Int, Int, Int)) {
        let (x, other) = Self.inputs(shape)
        let factor = shape.5
        let joined = noGrad { x.upsampleNearest(factor: factor, concatenatedWith: other) }
        let separate = noGrad { Tensor.concatenate([x.upsampleNearest(factor: factor), other], axis: 1) }
        #expect(joined.shape == separate.shape)
        #expect(zip(joined.scalars, separate.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(shape)")
    }

    @Test(arguments: shapes)
    func upsamplingRepeatsEachPixel(shape: (Int, Int, Int, Int, Int, Int)) {
        let (x, _) = Self.inputs(shape)
        let (height, width, factor) = (shape.3, shape.4, shape.5)
        let up = x.upsampleNearest(factor: factor)
        let (oh, ow) = (height * factor, width * factor)
        var wrong = 0
        for plane in 0..<(shape.0 * shape.1) {
            for y in 0..<oh {
                for column in 0..<ow {
                    let expected = x.data[plane * height * width + (y / factor) * width + column / factor]
                    if up.data[(plane * oh + y) * ow + column] != expected { wrong += 1 }
                }
            }
        }
        #expect(wrong == 0, "\(shape)")
    }

    /// Where the input requires gradients it records the two ops, and their gradients come back.
    @Test func recordsTheTwoOpsWhereGradientsAreNeeded() {
        let (x, other) = Self.inputs((2, 3, 2, 5, 9, 2))
        x.requiresGrad = true
        other.requiresGrad = true
        var gradients: [Tensor] = []
        for joined in [false, true] {
            x.grad = nil
            other.grad = nil
            let out =
                joined
                ? x.upsampleNearest(factor: 2, concatenatedWith: other)
                : Tensor.concatenate([x.upsampleNearest(factor: 2), other], axis: 1)
            #expect(out.requiresGrad)
            (out * out).sum().backward()
            gradients += [x.grad!, other.grad!]
        }
        #expect(gradients[0].scalars == gradients[2].scalars)
        #expect(gradients[1].scalars == gradients[3].scalars)
    }
}
