import Datasets
import Foundation
import NeuralNet
import TensorCore
import Testing

@testable import Models

/// Each model's loss decreases on tiny data (a few hundred synthetic digits, a few dozen steps).
struct TrainingTests {
    static let data = SyntheticDigits.make(trainCount: 256, testCount: 64, seed: 1)

    func lossesDecrease(
        _ model: any GenerativeModel, learningRate: Float = 1e-3, steps: Int = 40, batch: Int = 64,
        factor: Double = 0.8, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let optimizers = adamOptimizers(for: model, learningRate: learningRate)
        var generator = RandomGenerator(seed: 7)
        var losses: [Double] = []
        let sampler = BatchSampler(count: TrainingTests.data.trainCount, batchSize: batch, seed: 3)
        var epoch = 0
        while losses.count < steps {
            for indices in sampler.batches(epoch: epoch) where losses.count < steps {
                let x = Tensor(shape: [indices.count, 784], scalars: TrainingTests.data.trainBatch(indices).images)
                losses.append(try model.trainStep(x, optimizers: optimizers, generator: &generator)[0].value)
            }
            epoch += 1
        }
        let first = losses.prefix(5).reduce(0, +) / 5
        let last = losses.suffix(5).reduce(0, +) / 5
        #expect(last < factor * first, "\(model.kind): loss \(first) -> \(last)", sourceLocation: sourceLocation)
        let test = model.evaluate(images: TrainingTests.data.testImages, generator: &generator)
        #expect(test.allSatisfy { $0.value.isFinite }, "\(test)", sourceLocation: sourceLocation)
    }

    @Test func autoencoder() throws {
        var g = RandomGenerator(seed: 1)
        try lossesDecrease(Autoencoder(latent: 8, generator: &g))
    }

    @Test func variationalAutoencoder() throws {
        var g = RandomGenerator(seed: 1)
        let model = VariationalAutoencoder(latent: 4, generator: &g)
        model.importanceSamples = 3
        try lossesDecrease(model)
    }

    @Test func adversarialAutoencoder() throws {
        var g = RandomGenerator(seed: 1)
        try lossesDecrease(AdversarialAutoencoder(latent: 2, prior: .mixture, generator: &g))
    }

    @Test func wassersteinAutoencoders() throws {
        var g = RandomGenerator(seed: 1)
        try lossesDecrease(WassersteinAutoencoder(latent: 4, penalty: .critic, generator: &g))
        try lossesDecrease(WassersteinAutoencoder(latent: 4, penalty: .mmd, generator: &g))
    }

    @Test func denoisingAutoencoder() throws {
        var g = RandomGenerator(seed: 1)
        try lossesDecrease(DenoisingAutoencoder(sigmas: [0.5, 0.2, 0.1], hidden: 128, generator: &g))
    }

    @Test func ddpm() throws {
        var g = RandomGenerator(seed: 1)
        try lossesDecrease(DDPM(hidden: 128, generator: &g), steps: 200, factor: 0.95)
        try lossesDecrease(
            DDPM(hidden: 128, network: .mlpTime, averageDecay: 0.99, generator: &g), steps: 200, factor: 0.95)
        // The U-Net starts at zero output (loss ~1) and learns quickly; small batches keep it cheap.
        try lossesDecrease(
            DDPM(network: .unet, averageDecay: 0.99, generator: &g), steps: 30, batch: 16, factor: 0.8)
    }

    @Test func aaeDiscriminatorJSDEstimateStaysInRange() throws {
        var g = RandomGenerator(seed: 2)
        let model = AdversarialAutoencoder(latent: 2, prior: .gaussian, generator: &g)
        let optimizers = adamOptimizers(for: model)
        let x = Tensor(shape: [64, 784], scalars: Array(TrainingTests.data.trainImages[0..<(64 * 784)]))
        for _ in 0..<10 {
            let metrics = try model.trainStep(x, optimizers: optimizers, generator: &g)
            let jsd = metrics.first { $0.name == "jsd_estimate" }!.value
            // V(D) <= 0, so the estimate is at most log 2 (it can dip below 0 for a poor discriminator).
            #expect(jsd <= log(2) + 1e-9)
        }
    }
}
