import Attacks
import Datasets
import Models
import TensorCore
import Testing

struct PoisoningAndTransferTests {
    @Test func backdoorRaisesAttackSuccessKeepingCleanAccuracy() throws {
        let dataset = TinyModel.dataset
        let backdoor = BackdoorPoisoning(targetClass: 2)
        let (poisoned, indices) = backdoor.poison(dataset, fraction: 0.15, seed: 1)
        #expect(indices.count == 120)
        #expect(indices.allSatisfy { poisoned.trainLabels[$0] == 2 })
        var generator = RandomGenerator(seed: 3)
        let clean = Classifier(kind: .mlp, hiddenWidth: 64, generator: &generator)
        generator = RandomGenerator(seed: 3)
        let victim = Classifier(kind: .mlp, hiddenWidth: 64, generator: &generator)
        TinyModel.train(clean, on: dataset, epochs: 12, seed: 3)
        TinyModel.train(victim, on: poisoned, epochs: 12, seed: 3)
        let (images, labels) = TinyModel.testBatch(200)
        let cleanAccuracy = TinyModel.accuracy(clean, images: images, labels: labels)
        let victimAccuracy = TinyModel.accuracy(victim, images: images, labels: labels)
        let baseRate = backdoor.attackSuccessRate(clean, on: dataset)
        let rate = backdoor.attackSuccessRate(victim, on: dataset)
        #expect(rate > baseRate + 0.4, "backdoor success \(rate) vs clean model \(baseRate)")
        #expect(victimAccuracy > cleanAccuracy - 0.1, "clean accuracy \(victimAccuracy) vs \(cleanAccuracy)")
    }

    @Test func labelFlipChangesTheRequestedFraction() {
        let dataset = TinyModel.dataset
        let (poisoned, flipped) = LabelFlipPoisoning.poison(dataset, fraction: 0.25, seed: 4)
        #expect(flipped.count == 200)
        let changed = dataset.trainLabels.indices.filter { dataset.trainLabels[$0] != poisoned.trainLabels[$0] }
        #expect(changed == flipped)
        #expect(poisoned.trainImages == dataset.trainImages && poisoned.testLabels == dataset.testLabels)
    }

    @Test func transferReportsBothModels() throws {
        let surrogate = TinyModel.make()
        var generator = RandomGenerator(seed: 11)
        let target = Classifier(kind: .mlp, hiddenWidth: 64, generator: &generator)
        TinyModel.train(target, on: TinyModel.dataset, epochs: 12, seed: 11)
        let (images, labels) = TinyModel.testBatch(100)
        let result = try Transfer(attack: PGD(steps: 20, stepSize: 0.02), target: target).attack(
            surrogate, images: images, labels: labels, threat: ThreatModel(epsilon: 0.2))
        let surrogateSuccess = try #require(result.metrics["surrogate_success_rate"])
        #expect(surrogateSuccess > 0.9)
        // Judged on the target: its own predictions, lower success than on the surrogate but well above chance.
        let truth = noGrad { target(result.adversarial).argmax() }
        #expect(truth == result.outcomes.map(\.adversarialPrediction))
        #expect(abs(result.cleanAccuracy - TinyModel.accuracy(target, images: images, labels: labels)) < 1e-9)
        #expect(result.successRate > 0.2 && result.successRate <= surrogateSuccess, "transfer \(result.successRate)")
    }
}
