import Attacks
import Models
import TensorCore
import Testing

/// A test oracle: probabilities only. It has no gradient entry point at all, so an attack holding it
/// cannot ask for one; it counts every image it scores.
final class CountingOracle: ProbabilityOracle {
    private let inner: ClassifierOracle
    private(set) var scored = 0
    /// The last batch it scored, so a test can check every candidate an attack queried.
    private(set) var last: [Float] = []

    init(_ classifier: Classifier) { inner = ClassifierOracle(classifier) }

    var pixelCount: Int { inner.pixelCount }
    var classCount: Int { inner.classCount }
    var queries: Int { inner.queries }

    func probabilities(_ images: [Float], count: Int) -> [Float] {
        scored += count
        last = images
        return inner.probabilities(images, count: count)
    }
}

struct BlackBoxAttackTests {
    @Test func onePixelChangesAtMostPPixelsAndCountsQueries() throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(30)
        let oracle = CountingOracle(model)
        let attack = OnePixel(pixels: 3, population: 40, generations: 15, seed: 2)
        let run = try attack.makeRun(oracle: oracle, images: images, labels: labels, threat: ThreatModel(epsilon: 3))
        while !run.isFinished { try run.step() }
        let result = run.result()
        #expect(result.outcomes.allSatisfy { $0.norms.l0 <= 3 }, "L0 \(result.outcomes.map(\.norms.l0).max() ?? -1)")
        #expect(linfViolations(result.adversarial, images, epsilon: 1).range == 0)
        #expect(result.queries == oracle.scored && result.queries > 30)
        let perImage = result.perImageExtras["queries"] ?? []
        #expect(Int(perImage.reduce(0, +)) == oracle.scored)
        #expect(result.gradientEvaluations == 0)
        // The reported predictions are the model's own.
        let truth = noGrad { model(result.adversarial).argmax() }
        #expect(truth == result.outcomes.map(\.adversarialPrediction))
        #expect(result.successRate > 0.1, "onepixel success \(result.successRate)")
    }
}
