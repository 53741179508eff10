import Foundation
import Testing
import TensorCore
@testable import NeuralNet

@Suite struct LossTests {
    @Test func crossEntropyKnownAnswer() {
        // logits [[1, 2, 3], [0, 0, 0]], labels [2, 1]:
        // row 0: logsumexp(1,2,3) - 3 = 0.40760596; row 1: log 3 = 1.0986123; mean 0.7531091.
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 0])
        let loss = Loss.crossEntropy(logits: logits, labels: [2, 1])
        #expect(abs(loss.item - 0.7531091) < 1e-6)
    }

    @Test func crossEntropyGradientMatchesComposition() {
        var rng = RandomGenerator(seed: 3)
        let logits = Tensor.randomNormal([4, 5], generator: &rng).requiringGrad()
        let labels = [0, 4, 2, 2]
        Loss.crossEntropy(logits: logits, labels: labels).backward()
        let fused = logits.grad!.scalars
        logits.grad = nil
        logits.logSoftmax().gather(indices: labels).mean().negated().backward()
        for (a, b) in zip(fused, logits.grad!.scalars) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func bceWithLogitsKnownAnswerAndGradient() {
        // x = [0, 2, -3], t = [1, 0, 1]: terms log 2, 2 + log(1+e^-2), 3 + log(1+e^-3).
        let x = Tensor(shape: [3], scalars: [0, 2, -3]).requiringGrad()
        let t = Tensor(shape: [3], scalars: [1, 0, 1])
        let expected: Float = Foundation.log(2) + 2 + Foundation.log(1 + Foundation.exp(-2)) + 3 + Foundation.log(1 + Foundation.exp(-3))
        let sum = Loss.binaryCrossEntropyWithLogits(logits: x, targets: t, reduction: .sum)
        #expect(abs(sum.item - expected) < 1e-5)
        let mean = Loss.binaryCrossEntropyWithLogits(logits: x, targets: t, reduction: .mean)
        #expect(abs(mean.item - expected / 3) < 1e-5)
        sum.backward()
        let sigmoid = [Float(0.5), 1 / (1 + Foundation.exp(-2)), 1 / (1 + Foundation.exp(3))]
        for i in 0..<3 { #expect(abs(x.grad!.data[i] - (sigmoid[i] - t.data[i])) < 1e-6) }
    }

    @Test func bceIsStableForLargeLogits() {
        let x = Tensor(shape: [2], scalars: [100, -100])
        let t = Tensor(shape: [2], scalars: [0, 1])
        let loss = Loss.binaryCrossEntropyWithLogits(logits: x, targets: t, reduction: .sum)
        #expect(abs(loss.item - 200) < 1e-3)
    }

    @Test func bceOnABatchGivesTheSameBitsAtOneAndTwoThreads() {
        // 128 x 784 + 5 (a VAE batch and a remainder that is not a whole block of 16): the loss's blocks and the
        // gradient's ranges are split over the threads; the loss must equal one in-order sum of the blocks.
        var rng = RandomGenerator(seed: 8)
        let count = 128 * 784 + 5
        let x = Tensor.randomNormal([count], standardDeviation: 4, generator: &rng)
        let t = Tensor.randomUniform([count], low: 0, high: 1, generator: &rng)
        var reference: Double = 0
        var i = 0
        while i + 16 <= count {
            var block: Float = 0
            for j in i..<(i + 16) {
                block += max(x.data[j], 0) - x.data[j] * t.data[j] + Foundation.log1p(Foundation.exp(-abs(x.data[j])))
            }
            reference += Double(block)
            i += 16
        }
        for j in i..<count {
            reference += Double(max(x.data[j], 0) - x.data[j] * t.data[j] + Foundation.log1p(Foundation.exp(-abs(x.data[j]))))
        }
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        var results: [(loss: Float, gradient: [Float])] = []
        for threads in [1, 2] {
            ComputeThreads.count = threads
            let logits = x.copy().requiringGrad()
            let loss = Loss.binaryCrossEntropyWithLogits(logits: logits, targets: t, reduction: .sum)
            loss.backward()
            results.append((loss.item, logits.grad!.scalars))
        }
        #expect(results[0].loss == results[1].loss)
        #expect(results[0].gradient == results[1].gradient)
        // The vector exp and log differ from libm's in the last bits, and the blocks sum in another order.
        #expect(abs(Double(results[0].loss) - reference) < 1e-5 * abs(reference))
        let sigmoid = x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
        #expect(zip(results[0].gradient, zip(sigmoid, t.scalars)).allSatisfy { abs($0 - ($1.0 - $1.1)) < 1e-6 })
    }

    @Test func meanSquaredError() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], scalars: [1, 0, 3, 0])
        #expect(Loss.meanSquaredError(a, b).item == 5)
        #expect(Loss.meanSquaredError(a, b, reduction: .sum).item == 20)
    }
}
