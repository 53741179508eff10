import Models
import TensorCore
import Testing

@testable import Attacks

/// FAB (Croce & Hein 2020) and its box-constrained projection.
struct FABTests {
    /// Runs the projection on plain arrays.
    func step(_ point: [Float], _ w: [Float], _ c: Float, _ norm: PerturbationNorm) -> [Float] {
        var d = [Float](repeating: 0, count: point.count)
        var scratch: [(kink: Float, weight: Float)] = []
        point.withUnsafeBufferPointer { p in
            w.withUnsafeBufferPointer { n in
                HyperplaneProjection.step(
                    from: p.baseAddress!, normal: n.baseAddress!, offset: c, count: point.count, norm: norm, into: &d,
                    scratch: &scratch)
            }
        }
        return d
    }

    @Test func projectionKnownAnswers() {
        // Inside the box: L-inf moves every coordinate by |c| / ||w||_1 along sign(c w); L2 by c w / ||w||^2.
        let p: [Float] = [0.5, 0.5, 0.5]
        let w: [Float] = [1, -2, 1]
        let linf = step(p, w, 0.4, .linf)
        for (value, expected) in zip(linf, [Float(0.1), -0.1, 0.1]) { #expect(abs(value - expected) < 1e-6) }
        let l2 = step(p, w, 0.6, .l2)
        for (value, expected) in zip(l2, [Float(0.1), -0.2, 0.1]) { #expect(abs(value - expected) < 1e-6) }
        // The box binds: coordinate 0 sits at 1 and cannot rise, so the others carry c = 0.6:
        // L-inf |w_1| t + |w_2| t = 3 t = 0.6 -> t = 0.2.
        let bound = step([1, 0.5, 0.5], w, 0.6, .linf)
        for (value, expected) in zip(bound, [Float(0), -0.2, 0.2]) { #expect(abs(value - expected) < 1e-6) }
        // L2 with the box binding: mu (4 + 1) = 0.6 -> d = (0, -0.24, 0.12).
        let boundL2 = step([1, 0.5, 0.5], w, 0.6, .l2)
        for (value, expected) in zip(boundL2, [Float(0), -0.24, 0.12]) { #expect(abs(value - expected) < 1e-6) }
        // Beyond the box: every coordinate goes as far as it can.
        let far = step([0.5, 0.5, 0.5], w, 100, .linf)
        #expect(far == [0.5, -0.5, 0.5])
        #expect(step(p, w, 0, .linf) == [0, 0, 0])
    }

    /// The quickselect search for the kink parameter agrees with walking the sorted kinks, in Double, on
    /// random problems with ties, zero rooms and goals beyond reach.
    @Test func kinkSearchMatchesTheSortedWalk() {
        var generator = RandomGenerator(seed: 5)
        for trial in 0..<300 {
            let count = 1 + Int(Double(generator.uniform()) * 60)
            var kinks: [(kink: Float, weight: Float)] = (0..<count).map { _ in
                let kink = Double(generator.uniform()) < 0.2 ? 0 : Float(Int(Double(generator.uniform()) * 8)) / 8
                return (kink, Float(Double(generator.uniform())) + 0.01)
            }
            let total = kinks.reduce(Float(0)) { $0 + $1.weight }
            let reachable = kinks.reduce(0.0) { $0 + Double($1.weight * $1.kink) }
            let goal = Float(reachable * (trial % 5 == 0 ? 1.5 : Double(generator.uniform()) * 0.99 + 0.005))
            // Reference: walk the kinks in order.
            var expected = Double.infinity
            var (reached, slope) = (0.0, Double(total))
            for (kink, weight) in kinks.sorted(by: { $0.kink < $1.kink }) {
                if reached + Double(kink) * slope >= Double(goal) {
                    expected = (Double(goal) - reached) / slope
                    break
                }
                reached += Double(weight * kink)
                slope -= Double(weight)
            }
            let found = kinks.withUnsafeMutableBufferPointer {
                HyperplaneProjection.kinkParameter(reaching: goal, slope: total, kinks: $0)
            }
            if expected.isInfinite {
                #expect(found.isInfinite, "trial \(trial): \(found) for an unreachable goal")
            } else {
                #expect(
                    abs(Double(found) - expected) <= 1e-4 * max(1, expected), "trial \(trial): \(found) vs \(expected)")
            }
        }
    }

    @Test func findsPerturbationsSmallerThanEpsInTheBall() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        for (norm, eps) in [(PerturbationNorm.linf, Float(0.3)), (.l2, Float(3))] {
            let result = try FAB(steps: 30).attack(
                model, images: images, labels: labels, threat: ThreatModel(norm: norm, epsilon: eps))
            let found = try #require(result.perImageExtras["min_norm"])
            let inside = found.filter { $0.isFinite && $0 > 0 && $0 < Double(eps) }.count
            #expect(inside >= 30, "\(norm): \(inside) of 40 below eps")
            for (outcome, size) in zip(result.outcomes, found) {
                let measured = norm == .l2 ? outcome.norms.l2 : outcome.norms.linf
                #expect(measured <= eps + 1e-5)
                if outcome.success && outcome.cleanPrediction == outcome.label {
                    #expect(abs(Double(measured) - size) < 1e-4)
                }
            }
            #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
            // Minimal: on average well inside the radius it was allowed.
            let mean = found.filter { $0.isFinite && $0 > 0 }.reduce(0, +) / Double(max(inside, 1))
            #expect(mean < Double(eps) * 0.8, "\(norm) mean min norm \(mean)")
        }
    }

    @Test func smallerThanPGDAndTargetedVariantsWork() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        let threat = ThreatModel(epsilon: 0.3)
        let fab = try FAB(steps: 40).attack(model, images: images, labels: labels, threat: threat)
        let pgd = try PGD(steps: 20).attack(model, images: images, labels: labels, threat: threat)
        #expect(fab.meanLinf < pgd.meanLinf, "fab \(fab.meanLinf) vs pgd \(pgd.meanLinf)")
        let targeted = try FAB(steps: 40).attack(
            model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3, goal: .targeted(5)))
        #expect(targeted.successRate > 0.5, "targeted FAB \(targeted.successRate)")
        let sweep = try FAB(steps: 20, targetCount: 3).attack(model, images: images, labels: labels, threat: threat)
        #expect(sweep.method == "fab-t" && sweep.successRate > 0.5)
        let violations = linfViolations(sweep.adversarial, images, epsilon: 0.3)
        #expect(violations.range == 0 && violations.bound == 0)
    }

    /// FAB-T reports the smallest norm it found per image, as FAB does: the minimum over the targets it
    /// swept, 0 for an image the model already gets wrong, and the output's norm where it fooled the
    /// model inside the ball.
    @Test func fabTReportsTheMinimalNormPerImage() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        for (norm, eps) in [(PerturbationNorm.linf, Float(0.3)), (.l2, Float(3))] {
            let sweep = try FAB(steps: 20, targetCount: 3).attack(
                model, images: images, labels: labels, threat: ThreatModel(norm: norm, epsilon: eps))
            let found = try #require(sweep.perImageExtras["min_norm"], "\(norm): FAB-T has no min_norm")
            #expect(found.count == labels.count)
            var inside = 0
            for (outcome, size) in zip(sweep.outcomes, found) {
                if outcome.cleanPrediction != outcome.label {
                    #expect(size == 0)
                    continue
                }
                guard outcome.success else { continue }
                let measured = norm == .l2 ? outcome.norms.l2 : outcome.norms.linf
                #expect(abs(Double(measured) - size) < 1e-4, "\(norm): output \(measured), min_norm \(size)")
                inside += 1
            }
            #expect(inside > 0, "\(norm): FAB-T fooled no correctly classified image")
        }
        // A batch the model gets wrong throughout needs no target run, and still reports 0 per image.
        let wrong = noGrad { model(images) }.topK(1).map { ($0.indices[0] + 1) % model.classCount }
        let none = try FAB(steps: 5, targetCount: 3).attack(
            model, images: images, labels: wrong, threat: ThreatModel(epsilon: 0.3))
        #expect(none.perImageExtras["min_norm"] == [Double](repeating: 0, count: wrong.count))
    }

    @Test func frozenNetworkMatchesAutograd() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(10)
        let threat = ThreatModel(norm: .l2, epsilon: 3)
        let fast = try FAB(steps: 5).attack(model, images: images, labels: labels, threat: threat)
        let slow = try GradientImplementation.$forceAutograd.withValue(true) {
            try FAB(steps: 5).attack(model, images: images, labels: labels, threat: threat)
        }
        var largest: Float = 0
        for i in 0..<fast.adversarial.count {
            largest = max(largest, abs(fast.adversarial.data[i] - slow.adversarial.data[i]))
        }
        #expect(largest < 1e-3)
        #expect(fast.gradientEvaluations == slow.gradientEvaluations)
    }
    /// Restarts: the first run is the single run, so the smallest norm per image can only fall; the later
    /// runs start at random points of half the radius and find smaller points on some images; the budget
    /// is restarts x steps, and FAB-T sweeps each target with every restart.
    @Test func restartsOnlyLowerTheMinimalNorm() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        for (norm, eps) in [(PerturbationNorm.linf, Float(0.3)), (.l2, Float(3))] {
            let threat = ThreatModel(norm: norm, epsilon: eps)
            let single = try FAB(steps: 20).makeRun(classifier: model, images: images, labels: labels, threat: threat)
            let several = try FAB(steps: 20, restarts: 3, seed: 5).makeRun(
                classifier: model, images: images, labels: labels, threat: threat)
            #expect(several.iterationCount == 3 * single.iterationCount)
            while !single.isFinished { try single.step() }
            while !several.isFinished { try several.step() }
            let one = try #require(single.perImageExtras["min_norm"])
            let three = try #require(several.perImageExtras["min_norm"])
            var lower = 0
            for (a, b) in zip(one, three) {
                if a.isNaN { continue }
                #expect(b <= a, "\(norm): a restart raised the minimal norm \(a) to \(b)")
                if b < a - 1e-6 { lower += 1 }
            }
            #expect(lower > 0, "\(norm): no restart found a smaller point")
            let output = several.output
            let sizes = PerturbationNorms.of(output, from: images)
            for size in sizes { #expect((norm == .l2 ? size.l2 : size.linf) <= eps + 1e-5) }
            #expect(linfViolations(output, images, epsilon: 1).range == 0)
        }
        let sweep = try FAB(steps: 4, restarts: 2, targetCount: 3).makeRun(
            classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3))
        #expect(sweep.iterationCount == 3 * 2 * 4)
        #expect(throws: AttackError.self) {
            _ = try FAB(restarts: 0).makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.3))
        }
    }
}
