import Attacks
import Models
import NeuralNet
import TensorCore
import Testing

/// FGSM, BIM, least-likely and PGD on the shared tiny model.
struct GradientAttackTests {
    @Test func fgsmRespectsBoundAndFools() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(100)
        let clean = TinyModel.accuracy(model, images: images, labels: labels)
        #expect(clean > 0.7, "tiny model accuracy \(clean)")
        let result = try FGSM().attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.2))
        let violations = linfViolations(result.adversarial, images, epsilon: 0.2)
        #expect(violations.range == 0 && violations.bound == 0)
        #expect(
            result.adversarialAccuracy < clean - 0.3, "FGSM accuracy \(result.adversarialAccuracy) vs clean \(clean)")
        #expect(abs(result.cleanAccuracy - clean) < 1e-9)
        #expect(result.gradientEvaluations == 100)
        #expect(result.meanLinf <= 0.2 + 1e-6)
    }

    @Test func fgsmIsTheFormula() throws {
        // x' = clip(x + eps sign(grad)), checked against a gradient taken directly.
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(8)
        let x = images.copy().requiringGrad()
        for p in model.parameters { p.requiresGrad = true }
        Loss.crossEntropy(logits: model(x), labels: labels).backward()
        let result = try FGSM().attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        for i in 0..<images.count {
            let g = x.grad!.data[i]
            let expected = min(max(images.data[i] + 0.1 * (g > 0 ? 1 : g < 0 ? -1 : 0), 0), 1)
            #expect(abs(result.adversarial.data[i] - expected) < 1e-6)
        }
        // The attack froze and restored the parameters: they still require gradients, their grads untouched.
        #expect(model.parameters.allSatisfy { $0.requiresGrad })
    }

    @Test func iterativeAttacksStayInBallAndBeatFGSM() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(100)
        let threat = ThreatModel(epsilon: 0.1)
        let fgsm = try FGSM().attack(model, images: images, labels: labels, threat: threat)
        let bim = try BIM(steps: 20, stepSize: 0.01).attack(model, images: images, labels: labels, threat: threat)
        let pgd = try PGD(steps: 20, stepSize: 0.01, randomStart: true, restarts: 2, seed: 1).attack(
            model, images: images, labels: labels, threat: threat)
        for result in [bim, pgd] {
            let violations = linfViolations(result.adversarial, images, epsilon: 0.1)
            #expect(violations.range == 0 && violations.bound == 0, "\(result.method)")
            #expect(result.adversarialAccuracy <= fgsm.adversarialAccuracy, "\(result.method)")
        }
        #expect(bim.gradientEvaluations == 2000)
    }

    @Test func stepMachineExposesEachIteration() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(20)
        let run = try BIM(steps: 5, stepSize: 0.02).makeRun(
            classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.1))
        #expect(run.iteration == 0 && run.iterationCount == 5 && !run.isFinished)
        var previousLinf: Float = 0
        while !run.isFinished {
            try run.step()
            let linf = run.norms.map(\.linf).max() ?? 0
            #expect(linf >= previousLinf - 1e-6 && linf <= 0.1 + 1e-6)
            #expect(run.loss.isFinite && run.success.count == 20)
            previousLinf = linf
        }
        #expect(run.iteration == 5 && abs(previousLinf - 0.1) < 1e-6)
    }

    @Test func targetedAttacksReachTheTarget() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(50)
        let targeted = try PGD(steps: 40, stepSize: 0.02, randomStart: false).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3, goal: .targeted(3)))
        #expect(targeted.outcomes.allSatisfy { $0.target == 3 })
        #expect(targeted.successRate > 0.8, "targeted success \(targeted.successRate)")
        let leastLikely = try LeastLikely(iterative: true, steps: 40, stepSize: 0.02).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3))
        #expect(leastLikely.method == "ill")
        #expect(leastLikely.successRate > 0.5, "ill success \(leastLikely.successRate)")
        #expect(leastLikely.outcomes.allSatisfy { $0.target != nil && $0.target != $0.cleanPrediction })
    }

    @Test func pgdL2StaysInTheL2Ball() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(50)
        let result = try PGD(steps: 20, randomStart: true, seed: 4).attack(
            model, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: 2))
        #expect(result.method == "pgd-l2")
        #expect(result.outcomes.allSatisfy { $0.norms.l2 <= 2 + 1e-4 })
        #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
        #expect(result.successRate > 0.5, "PGD-L2 success \(result.successRate)")
    }

    @Test func badInputsAreClearErrors() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(4)
        let cases: [(ThreatModel, Tensor, [Int], String)] = [
            (ThreatModel(epsilon: 0), images, labels, "eps must be in (0, 1]"),
            (ThreatModel(epsilon: 1.5), images, labels, "eps must be in (0, 1]"),
            (ThreatModel(epsilon: 0.1, goal: .targeted(10)), images, labels, "target class 10"),
            (ThreatModel(epsilon: 0.1), Tensor(zeros: [4, 100]), labels, "the model takes 28x28"),
            (ThreatModel(epsilon: 0.1), images, [0, 1], "4 images but 2 labels"),
        ]
        for (threat, x, y, message) in cases {
            #expect {
                _ = try FGSM().makeRun(classifier: model, images: x, labels: y, threat: threat)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }
}

struct CarliniWagnerTests {
    @Test func cwFindsSmallL2PerturbationsAndReportsC() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let result = try CarliniWagnerL2(steps: 60, learningRate: 0.05, searchSteps: 3).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        #expect(result.successRate > 0.8, "CW success \(result.successRate)")
        #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
        let c = result.perImageExtras["c"] ?? []
        #expect(c.count == 40)
        for (outcome, constant) in zip(result.outcomes, c) {
            // Unchanged images where it failed; a c for every kept success.
            if outcome.success && outcome.cleanPrediction == outcome.label {
                #expect(constant.isFinite && constant > 0)
            }
            if !outcome.success { #expect(outcome.norms.l2 == 0) }
        }
        let targeted = try CarliniWagnerL2(steps: 60, learningRate: 0.05, searchSteps: 3).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 1, goal: .targeted(5)))
        #expect(targeted.successRate > 0.8, "targeted CW success \(targeted.successRate)")
    }

    @Test func torchattacksCompatibleCWUsesItsMaskedMarginAndNeedsOneRound() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        #expect(throws: AttackError.self) {
            _ = try CarliniWagnerL2(searchSteps: 2, torchattacksCompatible: true).makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        }
        // The first step's objective at x' = x: torchattacks' f takes max(0, .) of both logits.
        let logits = noGrad { model(images) }
        var masked: Double = 0
        var exact: Double = 0
        for (i, label) in labels.enumerated() {
            let z = (0..<10).map { Double(logits.data[i * 10 + $0]) }
            let other = z.enumerated().filter { $0.offset != label }.map(\.element).max()!
            masked += max(max(z[label], 0) - max(other, 0), 0)
            exact += max(z[label] - other, 0)
        }
        #expect(abs(masked - exact) > 1e-3, "the tiny model's logits do not tell the margins apart")
        for (compatible, expected) in [(true, masked), (false, exact)] {
            let run = try CarliniWagnerL2(searchSteps: 1, torchattacksCompatible: compatible).makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
            try run.step()
            #expect(abs(run.loss * 40 - expected) < 1e-3 * max(1, expected), "compatible \(compatible)")
        }
        let result = try CarliniWagnerL2(steps: 60, learningRate: 0.05, searchSteps: 1, torchattacksCompatible: true)
            .attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        #expect(result.successRate > 0.3, "torchattacks-compatible CW success \(result.successRate)")
        #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
        #expect((result.successRateOnCorrect ?? 2) <= 1 && (result.meanL2OnCorrectSuccesses ?? 0) > 0)
    }
}

/// Carlini & Wagner's confidence kappa: their reference code (`l2_attack.py`'s `compare`) keeps an iterate,
/// and counts a search round as a success, only when the goal class wins by at least kappa in the logits.
struct CarliniWagnerConfidenceTests {
    /// The logit margin by which each row of `adversarial` is misclassified (untargeted: the largest other
    /// logit minus the label's) or classified as its target (the target's logit minus the largest other).
    static func margins(_ model: Classifier, _ adversarial: Tensor, goals: [Int], targeted: Bool) -> [Float] {
        let logits = noGrad { model(adversarial) }
        let classes = logits.shape[1]
        return goals.enumerated().map { i, goal in
            let z = (0..<classes).map { logits.data[i * classes + $0] }
            let other = z.enumerated().filter { $0.offset != goal }.map(\.element).max()!
            return targeted ? z[goal] - other : other - z[goal]
        }
    }

    @Test(arguments: [false, true])
    func everyKeptSuccessClearsKappa(targeted: Bool) throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        let kappa: Float = 3
        let threat = ThreatModel(epsilon: 1, goal: targeted ? .targeted(5) : .untargeted)
        let result = try CarliniWagnerL2(confidence: kappa, steps: 80, learningRate: 0.05, searchSteps: 4).attack(
            model, images: images, labels: labels, threat: threat)
        let goals = targeted ? [Int](repeating: 5, count: labels.count) : labels
        let margins = Self.margins(model, result.adversarial, goals: goals, targeted: targeted)
        let kept = result.outcomes.indices.filter { result.outcomes[$0].norms.l2 > 0 }
        #expect(kept.count >= labels.count / 2, "CW kept \(kept.count) of \(labels.count)")
        for i in kept {
            #expect(margins[i] >= kappa - 1e-3, "image \(i): kept with margin \(margins[i]) < kappa \(kappa)")
        }
    }
}
