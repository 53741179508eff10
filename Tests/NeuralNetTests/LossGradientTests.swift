import Foundation
import TensorCore
import Testing

@testable import NeuralNet

/// Finite-difference checks of the losses' backward passes, scaled by an upstream gradient other than 1
/// (a loss inside a larger objective): the fused cross-entropy, BCE with logits in both arguments and
/// both reductions (on a length with whole SIMD blocks and a tail), and the mean squared error.
@Suite struct LossGradientTests {
    /// Compares the autograd gradient of `upstream * loss(inputs)` with central differences in float32,
    /// relative to the largest numeric component (at least 1).
    func expectLossGradients(
        _ inputs: [Tensor], upstream: Float = -1.7, step h: Float = 1e-2, tolerance: Float = 1e-2,
        sourceLocation: SourceLocation = #_sourceLocation, _ loss: ([Tensor]) -> Tensor
    ) {
        for input in inputs {
            input.requiresGrad = true
            input.grad = nil
        }
        loss(inputs).backward(Tensor(upstream))
        for (index, input) in inputs.enumerated() {
            let analytic = input.grad?.scalars ?? [Float](repeating: 0, count: input.count)
            var numeric = [Float](repeating: 0, count: input.count)
            for i in 0..<input.count {
                let saved = input.data[i]
                input.data[i] = saved + h
                let plus = Double(noGrad { loss(inputs) }.item)
                input.data[i] = saved - h
                let minus = Double(noGrad { loss(inputs) }.item)
                input.data[i] = saved
                numeric[i] = Float(Double(upstream) * (plus - minus) / Double(2 * h))
            }
            let scale = max(1, numeric.map { abs($0) }.max() ?? 1)
            let worst = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
            #expect(
                worst / scale < tolerance, "input \(index): max gradient error \(worst)", sourceLocation: sourceLocation
            )
        }
    }

    @Test func crossEntropy() {
        var rng = RandomGenerator(seed: 1)
        let logits = Tensor.randomNormal([4, 5], standardDeviation: 2, generator: &rng)
        expectLossGradients([logits]) { Loss.crossEntropy(logits: $0[0], labels: [0, 4, 2, 2]) }
    }

    /// 37 elements: two SIMD blocks of 16 and a tail of 5; targets in (0, 1) so that they need a gradient too.
    @Test func binaryCrossEntropyWithLogitsInBothArguments() {
        var rng = RandomGenerator(seed: 2)
        let logits = Tensor.randomNormal([37], standardDeviation: 2, generator: &rng)
        let targets = Tensor.randomUniform([37], low: 0.1, high: 0.9, generator: &rng)
        for reduction in [Loss.Reduction.mean, .sum] {
            expectLossGradients([logits, targets]) {
                Loss.binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1], reduction: reduction)
            }
        }
    }

    @Test func meanSquaredError() {
        var rng = RandomGenerator(seed: 3)
        let prediction = Tensor.randomNormal([3, 4], generator: &rng)
        let target = Tensor.randomNormal([3, 4], generator: &rng)
        for reduction in [Loss.Reduction.mean, .sum] {
            expectLossGradients([prediction, target]) { Loss.meanSquaredError($0[0], $0[1], reduction: reduction) }
        }
    }
}
