import Models
import NeuralNet
import TensorCore
import Testing

@testable import Attacks

/// The MLP's autograd-free input gradient (its `FrozenNetwork`) against autograd, and the attacks through
/// both paths.
struct FrozenNetworkAttackTests {
    /// An MLP with widths that are not multiples of 16 (vector loops' remainders) and random weights.
    static func oddModel() -> Classifier {
        var generator = RandomGenerator(seed: 5)
        return Classifier(kind: .mlp, hiddenWidth: 37, generator: &generator)
    }

    @Test(arguments: [false, true])
    func gradientMatchesAutogradBitForBit(targeted: Bool) throws {
        for model in [TinyModel.make(), Self.oddModel()] {
            let (images, labels) = TinyModel.testBatch(23)
            let goal = targeted ? labels.map { ($0 + 3) % 10 } : labels
            let frozen = try FrozenNetwork(model.network)
            let fast = frozen.crossEntropyInputGradient(at: images, labels: goal, scale: targeted ? -1 : 1)
            let slow = GradientAttackRun.lossGradient(model, frozen: nil, at: images, labels: goal, targeted: targeted)
            #expect(fast.gradient.shape == images.shape)
            #expect(fast.gradient.scalars == slow.gradient.scalars)
            #expect(fast.logits.scalars == slow.logits.scalars)
            #expect(abs(fast.loss - slow.loss) < 1e-5 * max(1, abs(slow.loss)))
            #expect(fast.gradient.scalars.contains { $0 != 0 })
            #expect(frozen.predictions(images) == slow.logits.argmax())
        }
    }

    @Test func inputOnlyGradientEqualsTheFullBackwardAndLeavesWeightsAlone() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(19)
        // The full backward: parameters require gradients, so autograd also forms every weight gradient.
        let input = images.copy().requiringGrad()
        let loss = Loss.crossEntropy(logits: model(input), labels: labels).scaled(by: Float(labels.count))
        loss.backward()
        let full = try #require(input.grad)
        #expect(model.parameters.allSatisfy { $0.grad != nil })
        for parameter in model.parameters { parameter.grad = nil }

        let frozen = try FrozenNetwork(model.network)
        let fast = frozen.crossEntropyInputGradient(at: images, labels: labels, scale: 1)
        #expect(fast.gradient.scalars == full.scalars)
        // No weight gradient is formed or accumulated, and the parameters still require gradients.
        #expect(model.parameters.allSatisfy { $0.grad == nil && $0.requiresGrad })
        #expect(images.scalars == TinyModel.testBatch(19).images.scalars)
    }

    @Test func onlyLinearReLUStacksTakeTheFastPath() throws {
        var generator = RandomGenerator(seed: 1)
        #expect(throws: FrozenNetwork.UnsupportedLayer.self) {
            try FrozenNetwork(Classifier(kind: .cnn, generator: &generator).network)
        }
        _ = try FrozenNetwork(TinyModel.make().network)
    }

    /// A CNN (which the fast path refuses) still attacks, through autograd, with the same images as under
    /// `forceAutograd`.
    @Test func networksOutsideTheFastPathFallBackToAutograd() throws {
        var generator = RandomGenerator(seed: 2)
        let model = Classifier(kind: .cnn, generator: &generator)
        let (images, labels) = TinyModel.testBatch(5)
        let run = try FGSM().makeRun(
            classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect((run as? GradientAttackRun)?.frozen == nil)
        let fast = try FGSM().attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        let slow = try GradientImplementation.$forceAutograd.withValue(true) {
            try FGSM().attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        }
        #expect(fast.adversarial.scalars == slow.adversarial.scalars)
        #expect(fast.adversarial.scalars != images.scalars)
    }

    @Test func attacksGiveTheSameImagesThroughBothPaths() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let cases: [(any Attack, ThreatModel)] = [
            (FGSM(), ThreatModel(epsilon: 0.1)),
            (PGD(steps: 5, stepSize: 0.02, restarts: 2, seed: 3), ThreatModel(epsilon: 0.1)),
            (PGD(steps: 5, randomStart: false), ThreatModel(norm: .l2, epsilon: 1)),
            (LeastLikely(iterative: true, steps: 5), ThreatModel(epsilon: 0.1)),
            (BIM(steps: 4), ThreatModel(epsilon: 0.1, goal: .targeted(2))),
            (APGD(steps: 6), ThreatModel(epsilon: 0.1)),
        ]
        for (attack, threat) in cases {
            let fast = try attack.attack(model, images: images, labels: labels, threat: threat)
            let slow = try GradientImplementation.$forceAutograd.withValue(true) {
                try attack.attack(model, images: images, labels: labels, threat: threat)
            }
            #expect(fast.adversarial.scalars == slow.adversarial.scalars, "\(attack.name) differs between paths")
            #expect(fast.outcomes.map(\.adversarialPrediction) == slow.outcomes.map(\.adversarialPrediction))
            #expect(fast.gradientEvaluations == slow.gradientEvaluations)
        }
    }

    @Test func signStepIsTheFormula() {
        var generator = RandomGenerator(seed: 9)
        let count = 53
        let x = (0..<count).map { _ in generator.uniform() }
        let c = (0..<count).map { _ in generator.uniform() }
        var g = (0..<count).map { _ in generator.uniform(-1, 1) }
        g[3] = 0
        g[20] = 0
        for step: Float in [0.05, -0.05] {
            var out = [Float](repeating: -1, count: count)
            Projection.signStep(x: x, gradient: g, clean: c, into: &out, count: count, step: step, epsilon: 0.1)
            for i in 0..<count {
                let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
                let expected = min(max(c[i] + min(max(x[i] + step * s - c[i], -0.1), 0.1), 0), 1)
                #expect(out[i] == expected, "pixel \(i) step \(step)")
            }
        }
    }

    /// PGD-L2's step by hand: row 0 steps 0.5 along g / ||g|| = (0.6, 0.8) to delta (0.3, 0.4), norm 0.5, which
    /// the projection onto the ball of 0.3 scales by 0.6 to (0.18, 0.24); row 1's delta 0.2 (0.1414, -0.1414)
    /// is inside the ball of 1 and only the clip to [0, 1] acts (projection first, then the clip).
    @Test func l2StepIsTheFormula() {
        let clean = Tensor(shape: [2, 4], scalars: [0.5, 0.5, 0.5, 0.5, 0.9, 0.1, 0.5, 0.5])
        let gradient = Tensor(shape: [2, 4], scalars: [3, 4, 0, 0, 1, -1, 0, 0])
        let first = Projection.l2Step(clean, gradient: gradient, clean: clean, step: 0.5, epsilon: 0.3)
        for (got, want) in zip(first.scalars[0..<4], [0.68, 0.74, 0.5, 0.5] as [Float]) {
            #expect(abs(got - want) < 1e-6)
        }
        let second = Projection.l2Step(clean, gradient: gradient, clean: clean, step: 0.2, epsilon: 1)
        for (got, want) in zip(second.scalars[4..<8], [1, 0, 0.5, 0.5] as [Float]) { #expect(abs(got - want) < 1e-6) }
    }
}
