import TensorCore
import Testing

@testable import Models

/// `DecodedPixels.fromLogits`: the sigmoid bit for bit on finite logits, NaN where a logit is not finite
/// (whose sigmoid, 0 or 1, would pass for a black or white pixel), and the sigmoid's gradient elsewhere.
@Suite struct DecodedPixelsTests {
    @Test func finiteLogitsGiveTheSigmoidAndOverflowGivesNaN() {
        let finite: [Float] = [-30, -2, -0.5, 0, 0.5, 2, 30, 88, -88, 1e30, -1e30]
        let logits = Tensor(shape: [1, finite.count], scalars: finite)
        #expect(DecodedPixels.fromLogits(logits).scalars == logits.sigmoid().scalars)
        let overflowing = Tensor(shape: [2, 3], scalars: [0.5, .infinity, -1, -.infinity, .nan, 2])
        let pixels = DecodedPixels.fromLogits(overflowing).scalars
        #expect(pixels[1].isNaN && pixels[3].isNaN && pixels[4].isNaN)
        let expected = Tensor(shape: [3], scalars: [0.5, -1, 2]).sigmoid().scalars
        #expect([pixels[0], pixels[2], pixels[5]] == expected)
    }

    @Test func theGradientIsTheSigmoidsWhereTheLogitsAreFinite() {
        let x = Tensor(shape: [1, 4], scalars: [0.3, -1.2, .infinity, 2]).requiringGrad()
        (DecodedPixels.fromLogits(x) * Tensor(shape: [1, 4], scalars: [1, 2, 3, 4])).sum().backward()
        let s = Tensor(shape: [4], scalars: [0.3, -1.2, 0, 2]).sigmoid().scalars
        let grad = x.grad?.scalars ?? []
        for (i, weight) in [(0, Float(1)), (1, 2), (3, 4)] { #expect(grad[i] == weight * s[i] * (1 - s[i])) }
    }
}
