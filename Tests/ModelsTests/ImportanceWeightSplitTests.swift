import Foundation
import Testing

@testable import Models
@testable import TensorCore

/// The importance-weighted bound computes its images' log weights split over the compute threads: the
/// same bits at one thread and at two, and the known answer on a batch large enough to split.
@Suite struct ImportanceWeightSplitTests {
    @Test func theBoundIsTheSameAtOneAndTwoThreads() {
        var generator = RandomGenerator(seed: 12)
        let model = VariationalAutoencoder(pixels: 20, hidden: 8, latent: 3, generator: &generator)
        let x = Tensor(shape: [100, 20], scalars: (0..<2000).map { _ in generator.uniform() })
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        var bounds: [[Double]] = []
        for threads in [1, 2] {
            ComputeThreads.count = threads
            var draws = RandomGenerator(seed: 5)
            bounds.append(model.importanceWeightedLogLikelihood(x, samples: 3, generator: &draws))
        }
        #expect(bounds[0].count == 100)
        #expect(bounds[0].map(\.bitPattern) == bounds[1].map(\.bitPattern))
    }

    /// With every weight zero the decoder gives each pixel probability 1/2 and `q(z | x)` is the prior, so
    /// every image's bound is exactly `-P log 2` (as in `importanceWeightedBoundKnownAnswers`, for one image).
    @Test func everyImageOfALargeBatchGetsTheKnownAnswer() {
        var generator = RandomGenerator(seed: 13)
        let model = VariationalAutoencoder(pixels: 6, hidden: 4, latent: 2, generator: &generator)
        for parameter in model.namedParameters.map(\.tensor) {
            for i in 0..<parameter.count { parameter.data[i] = 0 }
        }
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        ComputeThreads.count = 2
        let x = Tensor(shape: [64, 6], scalars: (0..<384).map { _ in generator.uniform() })
        let bounds = model.importanceWeightedLogLikelihood(x, samples: 4, generator: &generator)
        #expect(bounds.count == 64)
        #expect(bounds.allSatisfy { abs($0 + 6 * log(2.0)) < 1e-9 })
    }
}
