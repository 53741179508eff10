import Models
import TensorCore
import Testing

@testable import Attacks

/// APGD with the DLR loss and APGD-T on the shared tiny model.
struct APGDTargetedTests {
    @Test func targetedDLRReachesTheTargetMoreOftenThanUntargeted() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(60)
        let target = 3
        let untargeted = try APGD(steps: 30, seed: 1).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.15))
        let landed = untargeted.outcomes.filter { $0.adversarialPrediction == target }.count
        let targeted = try APGD(steps: 30, seed: 1, loss: .dlr).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.15, goal: .targeted(target)))
        let reached = targeted.outcomes.filter(\.success).count
        #expect(reached > landed, "targeted DLR reached \(reached), untargeted landed on \(landed)")
        #expect(targeted.method == "apgd-dlr")
        let violations = linfViolations(targeted.adversarial, images, epsilon: 0.15)
        #expect(violations.range == 0 && violations.bound == 0)
    }

    @Test func apgdTSweepsTargetsAndBreaksAtLeastAsManyAsAPGDCE() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(60)
        let threat = ThreatModel(epsilon: 0.05)
        let ce = try APGD(steps: 20, seed: 1).attack(model, images: images, labels: labels, threat: threat)
        let t = try APGDTargeted(steps: 20, targetCount: 9, seed: 1).attack(
            model, images: images, labels: labels, threat: threat)
        #expect(t.method == "apgd-t")
        #expect(
            t.adversarialAccuracy <= ce.adversarialAccuracy + 0.02,
            "apgd-t \(t.adversarialAccuracy), ce \(ce.adversarialAccuracy)")
        let violations = linfViolations(t.adversarial, images, epsilon: 0.05)
        #expect(violations.range == 0 && violations.bound == 0)
        // Images it does not fool keep the clean image.
        for (index, outcome) in t.outcomes.enumerated() where !outcome.success {
            #expect(outcome.norms.linf == 0, "image \(index)")
        }
        #expect(throws: AttackError.self) {
            _ = try APGDTargeted().makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1, goal: .targeted(1))
            )
        }
    }

    @Test func dlrMatchesBetweenTheFrozenNetworkAndAutograd() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(20)
        let threat = ThreatModel(epsilon: 0.1)
        let fast = try APGD(steps: 8, seed: 4, loss: .dlr).attack(model, images: images, labels: labels, threat: threat)
        let slow = try GradientImplementation.$forceAutograd.withValue(true) {
            try APGD(steps: 8, seed: 4, loss: .dlr).attack(model, images: images, labels: labels, threat: threat)
        }
        var largest: Float = 0
        for i in 0..<fast.adversarial.count {
            largest = max(largest, abs(fast.adversarial.data[i] - slow.adversarial.data[i]))
        }
        #expect(largest < 1e-3, "frozen vs autograd DLR iterates differ by \(largest)")
        #expect(fast.gradientEvaluations == 20 * 9 && slow.gradientEvaluations == fast.gradientEvaluations)
    }

    @Test func eotAveragesSamplesAndCountsEachGradient() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(10)
        let threat = ThreatModel(epsilon: 0.1)
        let one = try APGD(steps: 5, seed: 2).attack(model, images: images, labels: labels, threat: threat)
        let three = try APGD(steps: 5, seed: 2, eotSamples: 3).attack(
            model, images: images, labels: labels, threat: threat)
        // A deterministic model: the mean of identical gradients is the gradient.
        #expect(three.gradientEvaluations == 3 * one.gradientEvaluations)
        #expect(three.outcomes.map(\.adversarialPrediction) == one.outcomes.map(\.adversarialPrediction))
    }
    /// Each image's random start comes from the seed and its own pixels, so an image attacked within a
    /// different batch (a subset, in another order, as AutoAttack's later components see it) ends at the
    /// same point; another seed moves it.
    @Test func anImagesResultDoesNotDependOnItsBatch() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(20)
        let pixels = images.shape[1]
        for norm in [PerturbationNorm.linf, .l2] {
            let threat = ThreatModel(norm: norm, epsilon: norm == .l2 ? 1 : 0.1)
            let whole = try APGD(steps: 10, seed: 3).attack(model, images: images, labels: labels, threat: threat)
            let rows = [17, 4, 11, 0, 9]
            let subset = try APGD(steps: 10, seed: 3).attack(
                model, images: images.selectingRows(rows), labels: rows.map { labels[$0] }, threat: threat)
            for (slot, row) in rows.enumerated() {
                let a = Array(UnsafeBufferPointer(start: whole.adversarial.data + row * pixels, count: pixels))
                let b = Array(UnsafeBufferPointer(start: subset.adversarial.data + slot * pixels, count: pixels))
                #expect(a == b, "\(norm) image \(row) differs between the whole batch and the subset")
            }
            let start = Projection.randomStart(around: images, norm: norm, epsilon: threat.epsilon, seed: 3)
            let other = Projection.randomStart(around: images, norm: norm, epsilon: threat.epsilon, seed: 4)
            #expect(Array(start.scalars) != Array(other.scalars))
        }
    }
}
