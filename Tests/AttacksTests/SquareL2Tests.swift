import Models
import TensorCore
import Testing

@testable import Attacks

/// The L2 Square Attack (Andriushchenko et al. 2020, Algorithm 3) on the shared tiny model.
struct SquareL2Tests {
    static func l2(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// The margin loss on log-probabilities of each image of `images` (negative: misclassified).
    static func margins(_ model: Classifier, _ images: Tensor, labels: [Int]) -> [Float] {
        let logProbabilities = noGrad { model(images).logSoftmax() }.scalars
        let classes = model.classCount
        return labels.enumerated().map { i, y in
            let row = Array(logProbabilities[(i * classes)..<((i + 1) * classes)])
            let other = row.enumerated().filter { $0.offset != y }.map(\.element).max()!
            return row[y] - other
        }
    }

    @Test func pseudoGaussianBlocksMatchAutoAttacksEta() {
        // eta(5) and eta_rectangles(2, 3) of AutoAttack's square.py, computed in float64 with torch.
        let eta5 = SquareL2Run.pseudoGaussianBlock(side: 5)
        let expected: [Double] = [
            0.0491621646, 0.1597770350, 0.1597770350, 0.1597770350, 0.0491621646,
            0.0491621646, 0.1597770350, 0.6022365165, 0.1597770350, 0.0491621646,
            -0.0455901518, -0.1481679932, -0.1481679932, -0.1481679932, -0.0455901518,
            -0.0455901518, -0.1481679932, -0.5584793591, -0.1481679932, -0.0455901518,
            -0.0455901518, -0.1481679932, -0.1481679932, -0.1481679932, -0.0455901518,
        ]
        #expect(zip(eta5, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(eta5)")
        let eta4 = SquareL2Run.pseudoGaussianBlock(side: 4)
        #expect(abs(eta4[0] - 0.0494015436) < 1e-9 && abs(eta4[14] + 0.6051689088) < 1e-9, "\(eta4)")
        let rectangle = SquareL2Run.rectangleBlock(rows: 2, columns: 3)
        let expectedRectangle: [Double] = [
            0.1825741858, 0.1825741858, 0.1825741858, 0.1825741858, 0.9128709292, 0.1825741858,
        ]
        #expect(zip(rectangle, expectedRectangle).allSatisfy { abs($0 - $1) < 1e-9 }, "\(rectangle)")
        // A side of 1 (the init grid of a tiny image) is one pixel of norm 1.
        #expect(SquareL2Run.pseudoGaussianBlock(side: 1) == [-1])
    }

    @Test func everyCandidateIsInTheBallAndTheMarginNeverRises() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        let oracle = CountingOracle(model)
        let eps: Float = 1.5
        let tolerance = eps * 1e-5 + 1e-6
        let run = try SquareAttack(queries: 200, seed: 4).makeRun(
            oracle: oracle, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: eps))
        let search = try #require(run as? SquareL2Run)
        #expect(run.method == "square-l2" && run.iterationCount == 199)
        let pixels = images.shape[1]
        let x = images.scalars
        var previous: [Float]?
        var sides: Set<Int> = []
        while !run.isFinished {
            let active = search.margins.indices.filter { search.margins[$0] >= 0 }
            if run.iteration > 0 { sides.insert(search.windowSide) }
            try run.step()
            guard !active.isEmpty else { continue }
            #expect(oracle.last.count == active.count * pixels)
            for (slot, image) in active.enumerated() {
                let candidate = oracle.last[(slot * pixels)..<((slot + 1) * pixels)]
                #expect(candidate.allSatisfy { $0 >= 0 && $0 <= 1 })
                let size = Self.l2(candidate, x[(image * pixels)..<((image + 1) * pixels)])
                #expect(size <= eps + tolerance, "image \(image): ||delta|| \(size) at iteration \(run.iteration)")
            }
            // After the initialisation a margin only falls: a candidate is kept only if it lowers it.
            if let previous {
                for i in labels.indices { #expect(search.margins[i] <= previous[i], "image \(i) rose") }
            }
            previous = search.margins
        }
        // Every side is odd, at least 3 and at most the image side; the schedule shrinks them.
        #expect(sides.allSatisfy { $0 % 2 == 1 && $0 >= 3 && $0 <= 28 } && sides.contains(25), "\(sides.sorted())")
        let result = run.result()
        #expect(result.outcomes.allSatisfy { $0.norms.l2 <= eps + tolerance })
        #expect(result.adversarial.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        // The kept margins are those of the output images, and the predictions are the model's.
        let recomputed = Self.margins(model, result.adversarial, labels: labels)
        #expect(zip(recomputed, search.margins).allSatisfy { abs($0 - $1) < 1e-3 })
        #expect(noGrad { model(result.adversarial).argmax() } == result.outcomes.map(\.adversarialPrediction))
    }

    @Test func countsQueriesFoolsAndIsDeterministic() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(40)
        let threat = ThreatModel(norm: .l2, epsilon: 1.5)
        let oracle = CountingOracle(model)
        let run = try SquareAttack(queries: 300, seed: 3).makeRun(
            oracle: oracle, images: images, labels: labels, threat: threat)
        while !run.isFinished { try run.step() }
        let result = run.result()
        #expect(result.method == "square-l2")
        #expect(result.queries == oracle.scored && result.gradientEvaluations == 0)
        let perImage = result.perImageExtras["queries"] ?? []
        #expect(Int(perImage.reduce(0, +)) == oracle.scored)
        // The clean query, then the initialisation and one per iteration until fooled: an image the model
        // gets wrong clean is never attacked, a robust one spends the whole budget.
        for (outcome, spent) in zip(result.outcomes, perImage) {
            if outcome.cleanPrediction != outcome.label {
                #expect(spent == 1)
            } else if outcome.adversarialPrediction == outcome.label {
                #expect(spent == 300)
            } else {
                #expect(spent >= 2 && spent <= 300)
            }
        }
        // PGD-L2 succeeds at this radius; the black-box search fools most of the same images.
        let pgd = try PGD(steps: 20).attack(model, images: images, labels: labels, threat: threat)
        #expect(pgd.successRate > 0.5, "pgd-l2 success \(pgd.successRate)")
        #expect(result.successRate > 0.5, "square-l2 success \(result.successRate), pgd-l2 \(pgd.successRate)")
        #expect(result.outcomes.allSatisfy { $0.norms.l2 <= 1.5 * (1 + 1e-5) + 1e-6 })
        // The same seed gives the same images; another seed other ones.
        let again = try SquareAttack(queries: 300, seed: 3).attack(
            model, images: images, labels: labels, threat: threat)
        #expect(again.adversarial.scalars == result.adversarial.scalars && again.queries == result.queries)
        let other = try SquareAttack(queries: 300, seed: 4).attack(
            model, images: images, labels: labels, threat: threat)
        #expect(other.adversarial.scalars != result.adversarial.scalars)
        // Targeted: the margin is towards the target class.
        let targeted = try SquareAttack(queries: 300, seed: 3).attack(
            model, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: 2, goal: .targeted(2)))
        #expect(targeted.successRate > 0.2, "targeted square-l2 success \(targeted.successRate)")
        #expect(targeted.outcomes.filter(\.success).allSatisfy { $0.adversarialPrediction == 2 })
    }

    @Test func refusesWhatItCannotBound() {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(4)
        for threat in [
            ThreatModel(norm: .l2, epsilon: 0), ThreatModel(norm: .l2, epsilon: -1),
            ThreatModel(norm: .l2, epsilon: .infinity), ThreatModel(norm: .l0, epsilon: 3),
        ] {
            #expect(throws: AttackError.self, "\(threat)") {
                _ = try SquareAttack().makeRun(classifier: model, images: images, labels: labels, threat: threat)
            }
        }
        #expect(throws: Never.self) {
            _ = try SquareAttack().makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: 20))
        }
    }
}
