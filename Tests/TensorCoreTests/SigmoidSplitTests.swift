import Foundation
import Testing

@testable import TensorCore

/// The sigmoid's forward and backward passes, split over the compute threads, give the bits of the plain
/// per-element formulas at one thread and at two.
struct SigmoidSplitTests {
    @Test func sigmoidAndItsGradientMatchThePerElementFormulasAtOneAndTwoThreads() {
        var generator = RandomGenerator(seed: 9)
        // 128 x 784 (an autoencoder's output batch): large enough to split, with extreme values mixed in.
        let x = Tensor.randomNormal([128, 784], standardDeviation: 6, generator: &generator)
        x.data[0] = 100
        x.data[1] = -100
        x.data[2] = 0
        let g = Tensor.randomNormal([128, 784], generator: &generator)
        let expectedY = x.scalars.map {
            $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0))
        }
        let expectedGrad = zip(g.scalars, expectedY).map { $0 * ($1 * (1 - $1)) }
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        for threads in [1, 2] {
            ComputeThreads.count = threads
            let input = x.copy().requiringGrad()
            let y = input.sigmoid()
            (y * g).sum().backward()
            #expect(y.scalars == expectedY, "threads \(threads)")
            #expect(input.grad?.scalars == expectedGrad, "threads \(threads)")
        }
        #expect(expectedY[0] == 1 && expectedY[1] < 1e-40 && expectedY[2] == 0.5)
    }
}
