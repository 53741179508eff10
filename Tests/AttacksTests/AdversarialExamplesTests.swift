import Models
import TensorCore
import Testing

@testable import Attacks

/// An attack that cannot run: `makeRun` always throws.
struct FailingAttack: Attack {
    var name: String { "failing" }
    var citation: String { "none" }
    func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun {
        throw AttackError("the failing attack failed")
    }
}

/// Adversarial training's batch transform: PGD examples as the attack crafts them, and a failing attack
/// stops the step instead of handing back the clean batch.
@Suite struct AdversarialExamplesTests {
    @Test func pgdExamplesAreThoseOfPGDWithTheStepsSeed() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(12)
        let examples = AdversarialExamples.pgd(epsilon: 0.1, steps: 3, seed: 5)
        let got = try examples(model, images: images, labels: labels, step: 4)
        let attack = PGD(steps: 3, stepSize: 2.5 * 0.1 / 3, randomStart: true, restarts: 1, seed: 9)
        let expected = try attack.attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect(got.scalars == expected.adversarial.scalars)
        #expect(got.scalars != images.scalars)
        let epsilon: Float = 0.1
        #expect(AdversarialExamples.pgdStepSize(epsilon: epsilon, steps: 3) == 2.5 * epsilon / 3)
    }

    /// Regression: `train --adversarial pgd` used `try?` around the attack, so a failing attack silently
    /// trained on the clean images; the transform now throws a one-line error naming the step.
    @Test func aFailingAttackThrowsInsteadOfReturningTheCleanImages() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(4)
        let examples = AdversarialExamples(threat: ThreatModel(epsilon: 0.1)) { _ in FailingAttack() }
        do {
            let returned = try examples(model, images: images, labels: labels, step: 7)
            Issue.record("a failing attack returned images (clean: \(returned.scalars == images.scalars))")
        } catch let failure as AdversarialExamples.Failure {
            #expect(failure.step == 7)
            #expect(failure.description.contains("training step 7: the failing attack failed"), "\(failure)")
            #expect(!failure.description.contains("\n"))
        }
        // An attack's own input errors (labels outside the classes) surface the same way.
        let pgd = AdversarialExamples.pgd(epsilon: 0.1, steps: 2, seed: 0)
        #expect(throws: AdversarialExamples.Failure.self) {
            try pgd(model, images: images, labels: [0, 1, 2, 99], step: 0)
        }
    }
}
