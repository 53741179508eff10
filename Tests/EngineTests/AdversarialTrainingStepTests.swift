import Attacks
import Datasets
import Models
import TensorCore
import Testing

@testable import Engine

/// An attack that cannot run: `makeRun` always throws.
private struct FailingAttack: Attack {
    var name: String { "failing" }
    var citation: String { "none" }
    func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun {
        throw AttackError("the failing attack failed")
    }
}

/// Adversarial training through `ClassifierTraining.inputTransform`.
@Suite struct AdversarialTrainingStepTests {
    static let dataset = SyntheticDigits.make(trainCount: 64, testCount: 16, seed: 9)

    /// Regression: a failing attack made adversarial training train on the clean batch (`try?` in the
    /// CLI's transform); now the training step throws and the weights stay as they were.
    @Test func aFailingAttackStopsTheTrainingStepBeforeAnyUpdate() throws {
        var generator = RandomGenerator(seed: 9)
        let model = Classifier(kind: .mlp, hiddenWidth: 8, generator: &generator)
        let training = ClassifierTraining(
            model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 1, seed: 9)
        let examples = AdversarialExamples(threat: ThreatModel(epsilon: 0.1)) { _ in FailingAttack() }
        training.inputTransform = { images, labels, step in
            try examples(model, images: images, labels: labels, step: step)
        }
        let before = model.parameters.map(\.scalars)
        #expect(throws: AdversarialExamples.Failure.self) { _ = try training.step() }
        #expect(model.parameters.map(\.scalars) == before)
        #expect(training.stepsTaken == 0)
    }

    @Test func pgdExamplesTrain() throws {
        var generator = RandomGenerator(seed: 9)
        let model = Classifier(kind: .mlp, hiddenWidth: 8, generator: &generator)
        let training = ClassifierTraining(
            model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 1, seed: 9)
        let examples = AdversarialExamples.pgd(epsilon: 0.1, steps: 2, seed: 3)
        training.inputTransform = { images, labels, step in
            try examples(model, images: images, labels: labels, step: step)
        }
        let before = model.parameters.map(\.scalars)
        _ = try training.step()
        #expect(model.parameters.map(\.scalars) != before)
    }
}
