import Models
import NeuralNet
import TensorCore
import Testing

@testable import Attacks

/// `p(x) = 0.5 x + 0.25 + c`: deterministic (c = 0), or with one N(0, 0.1^2) shift `c` drawn per call.
final class AffinePurifier: Purifier {
    let randomised: Bool
    init(randomised: Bool) { self.randomised = randomised }
    var summary: String { "affine" }
    var pixelCount: Int { 784 }
    var isRandomised: Bool { randomised }
    func purify(_ images: Tensor, noise: inout PurifierNoise) -> Tensor {
        let shift = randomised ? 0.1 * noise.normal([1, 1]).scalars[0] : 0
        return images * 0.5 + (0.25 + shift)
    }
}

/// The defence layer's gradient paths: BPDA's identity backward, the full chain rule, EOT's average over
/// draws, fixed against fresh randomness, and the size check.
@Suite struct PurificationDefenseTests {
    static func cePGDObjective(_ labels: [Int]) -> (Tensor) -> Tensor {
        { logits in Loss.crossEntropy(logits: logits, labels: labels) }
    }

    @Test func bpdaPassesTheGradientAtThePurifiedImageStraightThrough() throws {
        let classifier = TinyModel.make()
        let x = Tensor(shape: [4, 784], scalars: Array(TinyModel.dataset.testImages[0..<(4 * 784)]))
        let labels = Array(TinyModel.dataset.testLabels[0..<4])
        let purifier = AffinePurifier(randomised: false)
        let purified = x * 0.5 + 0.25
        let reference = InputGradient.compute(classifier, at: purified, objective: Self.cePGDObjective(labels))
        for (mode, factor) in [(PurifierGradient.bpda, Float(1)), (.full, 0.5)] {
            let layer = PurificationLayer(purifier: purifier, gradient: mode, randomness: .fixed, seed: 1)
            let defended = try PurificationDefense.wrap(classifier, layer: layer)
            let got = InputGradient.compute(defended, at: x, objective: Self.cePGDObjective(labels))
            #expect(abs(got.value - reference.value) < 1e-5)
            for i in 0..<x.count {
                #expect(abs(got.gradient.data[i] - factor * reference.gradient.data[i]) < 1e-6, "\(mode) at \(i)")
            }
            #expect(got.gradient.scalars.contains { $0 != 0 })
        }
        // The classifier's own parameters keep their gradients untouched.
        #expect(classifier.parameters.allSatisfy { $0.grad == nil })
    }

    @Test func eotAveragesTheGradientsOfSuccessiveDraws() throws {
        let classifier = TinyModel.make()
        let x = Tensor(shape: [3, 784], scalars: Array(TinyModel.dataset.testImages[0..<(3 * 784)]))
        let labels = Array(TinyModel.dataset.testLabels[0..<3])
        func defended() throws -> Classifier {
            let layer = PurificationLayer(
                purifier: AffinePurifier(randomised: true), gradient: .bpda, randomness: .fresh, seed: 42)
            return try PurificationDefense.wrap(classifier, layer: layer)
        }
        let averaged = ExpectationOverTransformation.$draws.withValue(5) {
            InputGradient.compute(try! defended(), at: x, objective: Self.cePGDObjective(labels))
        }
        let replay = try defended()
        let singles = (0..<5).map { _ in InputGradient.compute(replay, at: x, objective: Self.cePGDObjective(labels)) }
        let meanValue = singles.map(\.value).reduce(0, +) / 5
        #expect(abs(averaged.value - meanValue) < 1e-5)
        for i in 0..<x.count {
            let mean = singles.map { $0.gradient.data[i] }.reduce(0, +) / 5
            #expect(abs(averaged.gradient.data[i] - mean) < 1e-6)
        }
        // The draws differ, so the average is not any one of them.
        #expect(singles[0].gradient.scalars != singles[1].gradient.scalars)
    }

    /// Bug: an attack under EOT reported the gradient evaluations of one draw per step (`--eot 8` printed the
    /// figure of `--eot 1`), though each of its gradients evaluates the model `draws` times. The gradient
    /// attacks (PGD's cross-entropy, APGD's DLR through the logit-loss path, DeepFool's class gradients, CW)
    /// count every draw now.
    @Test func anAttackUnderEOTCountsEveryDraw() throws {
        let classifier = TinyModel.make()
        let x = Tensor(shape: [3, 784], scalars: Array(TinyModel.dataset.testImages[0..<(3 * 784)]))
        let labels = Array(TinyModel.dataset.testLabels[0..<3])
        // A purifier without randomness: every draw is the same, so both runs take the same path and stop alike.
        let layer = PurificationLayer(
            purifier: AffinePurifier(randomised: false), gradient: .bpda, randomness: .fresh, seed: 3)
        let defended = try PurificationDefense.wrap(classifier, layer: layer)
        let threat = ThreatModel(epsilon: 0.1)
        let attacks: [(String, any Attack)] = [
            ("pgd", PGD(steps: 2)), ("apgd-dlr", APGD(steps: 2, seed: 1, loss: .dlr)),
            ("deepfool", DeepFool(steps: 2)), ("cw", CarliniWagnerL2(steps: 2, searchSteps: 1)),
        ]
        for (name, attack) in attacks {
            let one = try attack.attack(defended, images: x, labels: labels, threat: threat)
            let four = try ExpectationOverTransformation.$draws.withValue(4) {
                try attack.attack(defended, images: x, labels: labels, threat: threat)
            }
            #expect(one.gradientEvaluations > 0, "\(name)")
            #expect(
                four.gradientEvaluations == 4 * one.gradientEvaluations,
                "\(name): \(four.gradientEvaluations) vs \(one.gradientEvaluations)")
        }
    }

    @Test func fixedRandomnessRepeatsTheDrawsAndFreshDoesNot() throws {
        let x = Tensor(shape: [2, 784], scalars: Array(TinyModel.dataset.testImages[0..<(2 * 784)]))
        let fixed = PurificationLayer(
            purifier: AffinePurifier(randomised: true), gradient: .bpda, randomness: .fixed, seed: 7)
        let fresh = PurificationLayer(
            purifier: AffinePurifier(randomised: true), gradient: .bpda, randomness: .fresh, seed: 7)
        let first = fixed(x).scalars
        #expect(first == fixed(x).scalars)
        #expect(fresh(x).scalars == first)  // the same seed: the first fresh draw is the fixed one
        #expect(fresh(x).scalars != first)
        fresh.reset()
        #expect(fresh(x).scalars == first)
    }

    @Test func wrapRefusesAPurifierOfAnotherImageSize() throws {
        var generator = RandomGenerator(seed: 0)
        let small = Classifier(kind: .mlp, imageHeight: 14, imageWidth: 14, hiddenWidth: 8, generator: &generator)
        let layer = PurificationLayer(
            purifier: AffinePurifier(randomised: false), gradient: .bpda, randomness: .fixed, seed: 0)
        #expect(throws: PurifierError.self) { try PurificationDefense.wrap(small, layer: layer) }
        let defended = try PurificationDefense.wrap(TinyModel.make(), layer: layer)
        #expect(PurificationDefense.layer(of: defended) === layer)
        #expect(PurificationDefense.layer(of: TinyModel.make()) == nil)
    }
}
