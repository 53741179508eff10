import Attacks
import Datasets
import Engine
import Models
import TensorCore
import Testing

/// Maps every image to the same grey image: whatever the attack does, the defended classifier answers one class.
final class GreyPurifier: Purifier {
    var summary: String { "grey" }
    var pixelCount: Int { 784 }
    var isRandomised: Bool { false }
    func purify(_ images: Tensor, noise: inout PurifierNoise) -> Tensor { images * 0 + 0.5 }
}

/// `PurifiedAttack`: the reported predictions are the defended classifier's, evaluated after the attack, in
/// every adaptive mode; naive attacks aim at the classifier alone.
@Suite struct PurifiedAttackTests {
    @Test func predictionsComeFromTheDefendedClassifier() throws {
        let dataset = SyntheticDigits.make(trainCount: 10, testCount: 30, seed: 1)
        var generator = RandomGenerator(seed: 4)
        let classifier = Classifier(kind: .mlp, hiddenWidth: 16, generator: &generator)
        let grey = Tensor(repeating: 0.5, shape: [1, 784])
        let answer = noGrad { classifier(grey).argmax()[0] }
        let share = Double(dataset.testLabels[0..<30].filter { $0 == answer }.count) / 30
        let defence = PurifiedAttack(purifier: GreyPurifier(), randomness: .fixed, eotDraws: 2)
        for mode in AdaptiveAttack.attacks {
            let result = try defence.run(
                PGD(steps: 3), method: "pgd", mode: mode, classifier: classifier, dataset: dataset, count: 30,
                batchSize: 16, threat: ThreatModel(epsilon: 0.3))
            #expect(result.outcomes.allSatisfy { $0.cleanPrediction == answer && $0.adversarialPrediction == answer })
            #expect(result.adversarialAccuracy == share && result.cleanAccuracy == share, "\(mode)")
            #expect(result.outcomes.allSatisfy { $0.success == ($0.label != answer) })
        }
        // The naive attack fools the classifier alone; through the purifier nothing it did matters.
        let plain = try TestSetAttack.run(
            PGD(steps: 3), method: "pgd", model: classifier, dataset: dataset, count: 30, batchSize: 16,
            threat: ThreatModel(epsilon: 0.3))
        #expect(plain.adversarialAccuracy < 0.5)
        #expect(
            try defence.predictions(classifier, images: plain.adversarial, batchSize: 7)
                == [Int](repeating: answer, count: 30))
    }
}
