import Models
import TensorCore
import Testing

@testable import Attacks

/// AutoAttack's ensemble and its per-image worst case.
struct AutoAttackTests {
    static var small: AutoAttack { AutoAttack(steps: 15, targetCount: 3, squareQueries: 150, seed: 1) }

    @Test func robustAccuracyIsAtMostEachComponentAlone() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let threat = ThreatModel(epsilon: 0.04)
        let result = try Self.small.attack(model, images: images, labels: labels, threat: threat)
        for (name, component) in Self.small.components(norm: .linf) {
            let alone = try component.attack(model, images: images, labels: labels, threat: threat)
            #expect(
                result.adversarialAccuracy <= alone.adversarialAccuracy,
                "autoattack \(result.adversarialAccuracy) vs \(name) \(alone.adversarialAccuracy)")
        }
        let violations = linfViolations(result.adversarial, images, epsilon: 0.04)
        #expect(violations.range == 0 && violations.bound == 0)
        #expect(result.gradientEvaluations > 0 && result.method == "autoattack")
    }

    @Test func bookkeepingIsThePerImageWorstCase() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let result = try Self.small.attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.04))
        let brokenBy = try #require(result.perImageLabels["broken_by"])
        let names = Self.small.components(norm: .linf).map(\.name)
        #expect(names == ["apgd-ce", "apgd-t", "fab-t", "square"])
        for (outcome, label) in zip(result.outcomes, brokenBy) {
            if outcome.cleanPrediction != outcome.label {
                #expect(label == AutoAttack.cleanLabel)
            } else if label.isEmpty {
                // Robust: the clean image, still correct.
                #expect(outcome.adversarialPrediction == outcome.label && outcome.norms.linf == 0)
            } else {
                #expect(names.contains(label) && outcome.adversarialPrediction != outcome.label)
            }
        }
        let accuracies = AutoAttack.componentAccuracies(brokenBy: brokenBy, components: names)
        #expect(abs(accuracies.last!.robustAccuracy - result.adversarialAccuracy) < 1e-12)
        #expect(zip(accuracies, accuracies.dropFirst()).allSatisfy { $0.robustAccuracy >= $1.robustAccuracy })
        #expect(accuracies[0].robustAccuracy <= result.cleanAccuracy)
        #expect(accuracies.reduce(0) { $0 + $1.broken } == brokenBy.filter { names.contains($0) }.count)
    }

    @Test func componentAccuraciesByHand() {
        let accuracies = AutoAttack.componentAccuracies(
            brokenBy: ["clean", "", "apgd-ce", "square", "", "apgd-ce", "fab-t", ""],
            components: ["apgd-ce", "apgd-t", "fab-t", "square"])
        let expected: [Double] = [0.625, 0.625, 0.5, 0.375]
        #expect(accuracies.map(\.robustAccuracy) == expected)
        #expect(accuracies.map(\.broken) == [2, 0, 1, 1])
    }

    @Test func randVersionAndL2AndBadInput() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(12)
        let rand = AutoAttack(version: .rand, steps: 4, eotSamples: 2)
        #expect(rand.components(norm: .linf).map(\.name) == ["apgd-ce", "apgd-dlr"])
        let result = try rand.attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect(result.perImageLabels["broken_by"]?.count == 12)
        let l2 = try AutoAttack(steps: 4, targetCount: 2, squareQueries: 100).attack(
            model, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: 1.5))
        // The L2 ensemble ends with the L2 Square Attack, as Croce & Hein's does.
        #expect(AutoAttack().components(norm: .l2).map(\.name) == ["apgd-ce", "apgd-t", "fab-t", "square"])
        #expect(l2.method == "autoattack-l2")
        #expect(l2.outcomes.allSatisfy { $0.norms.l2 <= 1.5 + 1e-4 })
        #expect(throws: AttackError.self) {
            _ = try AutoAttack().makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1, goal: .targeted(2))
            )
        }
        #expect(throws: AttackError.self) {
            _ = try AutoAttack().makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 1.5))
        }
    }

    @Test func l2EnsembleRunsTheL2SquareLast() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        // One white-box step each leaves images robust for the L2 Square Attack to try.
        let attack = AutoAttack(steps: 1, targetCount: 1, squareQueries: 150, seed: 2)
        let threat = ThreatModel(norm: .l2, epsilon: 1.5)
        let run = try attack.makeRun(classifier: model, images: images, labels: labels, threat: threat)
        var components: [String] = []
        while !run.isFinished {
            if let current = (run as? AutoAttackRun)?.currentComponent, components.last != current {
                components.append(current)
            }
            try run.step()
        }
        let result = run.result()
        let brokenBy = try #require(result.perImageLabels["broken_by"])
        #expect(components == ["apgd-ce", "apgd-t", "fab-t", "square"], "\(components)")
        // Square ran on every image the white-box components left robust: its clean query and its
        // initialisation at least.
        let reachedSquare = brokenBy.filter { $0.isEmpty || $0 == "square" }.count
        #expect(reachedSquare > 0, "\(brokenBy)")
        #expect(result.queries >= 2 * reachedSquare, "\(result.queries) queries for \(reachedSquare) images")
        #expect(result.outcomes.allSatisfy { $0.norms.l2 <= 1.5 * (1 + 1e-5) + 1e-6 })
        let accuracies = AutoAttack.componentAccuracies(
            brokenBy: brokenBy, components: attack.components(norm: .l2).map(\.name))
        #expect(abs(accuracies.last!.robustAccuracy - result.adversarialAccuracy) < 1e-12)
    }
}
