import Models
import TensorCore
import Testing

@testable import Attacks

/// Black-box attacks on a classifier of non-square images (an IDX folder of 8x6 images).
struct NonSquareImageAttackTests {
    /// Bug: the Square Attack took an image whose pixel count is not a square for one row of pixels, so
    /// on 8x6 (or 28x20) images its "squares" were single pixels and its first candidate random noise,
    /// not vertical stripes: a far weaker attack, and a robust accuracy too high. The oracle now gives
    /// the classifier's height and width.
    @Test func squareAttackSearchesInTheClassifiersImageShape() throws {
        var generator = RandomGenerator(seed: 1)
        let model = Classifier(kind: .mlp, imageHeight: 8, imageWidth: 6, classCount: 3, generator: &generator)
        model.setTraining(false)
        let (count, pixels) = (4, 48)
        let images = Tensor(shape: [count, pixels], scalars: (0..<(count * pixels)).map { Float($0 % 5) * 0.1 + 0.3 })
        let labels = noGrad { model(images).argmax() }
        let oracle = ClassifierOracle(model)
        let run = try SquareAttack(queries: 10, seed: 2).makeRun(
            oracle: oracle, images: images, labels: labels, threat: ThreatModel(norm: .linf, epsilon: 0.1))
        try run.step()
        // The initialisation: one sign per column, the same in all 8 rows.
        let delta = zip(run.adversarial.scalars, images.scalars).map { $0 - $1 }
        var differing = 0
        for image in 0..<count {
            for row in 1..<8 {
                for column in 0..<6
                where abs(delta[image * pixels + row * 6 + column] - delta[image * pixels + column]) > 1e-6 {
                    differing += 1
                }
            }
        }
        #expect(differing == 0, "\(differing) of \(count * 7 * 6) pixels differ from the first row's")
    }
}
