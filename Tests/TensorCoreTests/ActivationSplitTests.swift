import Foundation
import Testing

@testable import TensorCore

/// The sigmoid's, ReLU's and SiLU's forward and backward passes and equal-shape binary operations, split
/// over the compute threads, give the bits of the plain per-element formulas (or the one-pass kernels) at
/// one thread and at two.
struct ActivationSplitTests {
    @Test func sigmoidAndItsGradientMatchThePerElementFormulasAtOneAndTwoThreads() {
        var generator = RandomGenerator(seed: 9)
        // 128 x 784 (an autoencoder's output batch): large enough to split, with extreme values mixed in.
        let x = Tensor.randomNormal([128, 784], standardDeviation: 6, generator: &generator)
        x.data[0] = 100
        x.data[1] = -100
        x.data[2] = 0
        let g = Tensor.randomNormal([128, 784], generator: &generator)
        let expectedY = x.scalars.map {
            $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0))
        }
        let expectedGrad = zip(g.scalars, expectedY).map { $0 * ($1 * (1 - $1)) }
        Self.expectAtOneAndTwoThreads(x, g, expectedY, expectedGrad) { $0.sigmoid() }
        #expect(expectedY[0] == 1 && expectedY[1] < Float(1e-40 as Double) && expectedY[2] == 0.5)
    }

    @Test func reluAndItsGradientMatchThePerElementFormulasAtOneAndTwoThreads() {
        var generator = RandomGenerator(seed: 10)
        // A CNN feature map batch's size, plus 5 (a range end that is not a whole vector).
        let x = Tensor.randomNormal([128 * 32 * 28 + 5], generator: &generator)
        let g = Tensor.randomNormal(x.shape, generator: &generator)
        let expectedY = x.scalars.map { $0 > 0 ? $0 : 0 }
        let expectedGrad = zip(g.scalars, expectedY).map { $1 > 0 ? $0 : 0 }
        Self.expectAtOneAndTwoThreads(x, g, expectedY, expectedGrad) { $0.relu() }
    }

    /// A NaN stays NaN through ReLU, in the vector loop and in the tail, and passes its gradient on (as
    /// PyTorch's `relu` and `threshold_backward`): `max(x, 0)` would have turned it into 0, and a NaN inside
    /// a network could vanish before the loss.
    @Test func reluKeepsNaNAndPassesItsGradient() {
        // 37 elements: two whole vectors and a tail of 5; NaNs of both signs in each part, and -0.
        var values = (0..<37).map { Float($0 % 5) - 2 }
        for i in [1, 20, 34] { values[i] = .nan }
        values[3] = -.nan
        values[35] = -0.0
        let x = Tensor(shape: [37], scalars: values).requiringGrad()
        let g = Tensor(shape: [37], scalars: (0..<37).map { Float($0 + 1) })
        let y = x.relu()
        (y * g).sum().backward()
        for i in 0..<37 {
            let v = values[i]
            #expect(v.isNaN ? y.scalars[i].isNaN : y.scalars[i] == Swift.max(v, 0), "element \(i)")
            #expect(x.grad?.scalars[i] == (v.isNaN || v > 0 ? g.scalars[i] : 0), "gradient \(i)")
        }
    }

    @Test func siluAndItsGradientMatchTheOnePassKernelsAtOneAndTwoThreads() {
        var generator = RandomGenerator(seed: 11)
        // A U-Net feature map batch's size, plus 7 (a range end that is not a whole vector).
        let x = Tensor.randomNormal([128 * 32 * 28 + 7], standardDeviation: 4, generator: &generator)
        x.data[0] = 100
        x.data[1] = -100
        let g = Tensor.randomNormal(x.shape, generator: &generator)
        var expectedY = [Float](repeating: .nan, count: x.count)
        var expectedGrad = [Float](repeating: .nan, count: x.count)
        ElementwiseKernels.silu(x.data, &expectedY, x.count)
        ElementwiseKernels.siluBackward(g.data, x.data, &expectedGrad, x.count)
        #expect(expectedY[0] == 100 && expectedY[1] > -1e-30 && expectedY[1] <= 0)
        Self.expectAtOneAndTwoThreads(x, g, expectedY, expectedGrad) { $0.silu() }
    }

    @Test func equalShapeBinaryOperationsMatchThePerElementFormulasAtOneAndTwoThreads() {
        var generator = RandomGenerator(seed: 12)
        let a = Tensor.randomNormal([32, 32, 28, 28], generator: &generator)
        let b = Tensor.randomNormal(a.shape, generator: &generator)
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        for threads in [1, 2] {
            ComputeThreads.count = threads
            #expect((a + b).scalars == zip(a.scalars, b.scalars).map(+), "threads \(threads)")
            #expect((a - b).scalars == zip(a.scalars, b.scalars).map(-), "threads \(threads)")
            #expect((a * b).scalars == zip(a.scalars, b.scalars).map(*), "threads \(threads)")
            #expect((a / b).scalars == zip(a.scalars, b.scalars).map(/), "threads \(threads)")
        }
    }

    /// Runs `activation` forward and backward (upstream gradient `g`) at one thread and at two, and expects
    /// exactly `expectedY` and `expectedGrad` both times.
    static func expectAtOneAndTwoThreads(
        _ x: Tensor, _ g: Tensor, _ expectedY: [Float], _ expectedGrad: [Float], _ activation: (Tensor) -> Tensor,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        for threads in [1, 2] {
            ComputeThreads.count = threads
            let input = x.copy().requiringGrad()
            let y = activation(input)
            (y * g).sum().backward()
            #expect(y.scalars == expectedY, "threads \(threads)", sourceLocation: sourceLocation)
            #expect(input.grad?.scalars == expectedGrad, "threads \(threads)", sourceLocation: sourceLocation)
        }
    }
}
