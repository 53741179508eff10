import Foundation
import Models
import NeuralNet
import TensorCore
import Testing

@testable import Engine

/// Noise-aware classifier training for classifier guidance (issue 18): the batch is diffused by the
/// DDPM's forward process in [-1, 1] and read back in [0, 1], reproducibly per step.
@Suite struct NoiseAwareObjectiveTests {
    /// On constant images `u` the diffused pixel is `((sqrt(abar) (2u - 1) + sqrt(1 - abar) eps) + 1) / 2`:
    /// recovering `eps` from each row's step gives a standard Gaussian, and the steps cover the schedule.
    @Test func diffusedBatchFollowsTheForwardProcess() {
        let objective = NoiseAwareObjective(seed: 3)
        let (rows, pixels) = (256, 64)
        let u: Float = 0.8
        let images = Tensor(shape: [rows, pixels], scalars: [Float](repeating: u, count: rows * pixels))
        let (noised, timesteps) = objective.noised(images, step: 7)
        #expect(noised.shape == [rows, pixels] && timesteps.count == rows)
        #expect(timesteps.allSatisfy { (0..<1000).contains($0) })
        #expect(timesteps.min()! < 100 && timesteps.max()! > 900)
        var (sum, squares) = (0.0, 0.0)
        for row in 0..<rows {
            let alphaBar = objective.schedule.alphaBars[timesteps[row]]
            for j in 0..<pixels {
                let x = 2 * Double(noised.data[row * pixels + j]) - 1
                let eps = (x - alphaBar.squareRoot() * Double(2 * u - 1)) / (1 - alphaBar).squareRoot()
                sum += eps
                squares += eps * eps
            }
        }
        let n = Double(rows * pixels)
        #expect(Swift.abs(sum / n) < 0.03, "mean \(sum / n)")
        #expect(Swift.abs(squares / n - 1) < 0.05, "variance \(squares / n)")
        // The same step draws the same batch (a resume repeats it); another step draws another.
        #expect(objective.noised(images, step: 7).images.scalars == noised.scalars)
        #expect(objective.noised(images, step: 8).images.scalars != noised.scalars)
    }

    /// The loss is cross-entropy on the diffused batch, not on the clean one.
    @Test func lossIsCrossEntropyOnTheDiffusedBatch() throws {
        var generator = RandomGenerator(seed: 5)
        let model = Classifier(kind: .mlp, hiddenWidth: 8, generator: &generator)
        let images = Tensor.randomUniform([8, 784], low: 0, high: 1, generator: &generator)
        let labels = [0, 1, 2, 3, 4, 5, 6, 7]
        let objective = NoiseAwareObjective(seed: 1)
        let loss = try objective.loss(model: model, images: images, labels: labels, step: 2).item
        let expected = Loss.crossEntropy(logits: model(objective.noised(images, step: 2).images), labels: labels).item
        let clean = Loss.crossEntropy(logits: model(images), labels: labels).item
        #expect(loss == expected && loss != clean)
    }

    /// config.json's entry reads back (the file round trip: `NoiseAwareCLITests`); a different schedule is
    /// refused.
    @Test func configEntryRoundTrips() throws {
        let config = ["noise_aware": NoiseAwareObjective(seed: 0).description]
        #expect(try NoiseAwareObjective.recorded(in: config, source: "config.json"))
        #expect(try !NoiseAwareObjective.recorded(in: [:], source: "config.json"))
        let other = NoiseAwareObjective(schedule: DiffusionSchedule(steps: 10), seed: 0).description
        #expect(throws: RunError.self) {
            try NoiseAwareObjective.recorded(in: ["noise_aware": other], source: "config.json")
        }
    }
}
