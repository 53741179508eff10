import Datasets
import Models
import NeuralNet
import SafeTensors
import TensorCore
import Testing

@testable import Engine

/// `GenerativeTraining` creates and owns a generative model's optimizers, as `ClassifierTraining` owns a
/// classifier's (issue 13): one Adam per parameter group the model declares, saved under the group's
/// name exactly as when the models owned them.
@Suite struct GenerativeTrainingTests {
    static let dataset = try! DatasetLoader.load("synthetic", seed: 0).subset(train: 64, test: 16)

    @Test func theTrainingOwnsOneAdamPerParameterGroup() throws {
        var generator = RandomGenerator(seed: 2)
        let model = try GenerativeFactory.make(
            .wae, settings: .defaults(for: .wae), pixels: 784, generator: &generator)
        let training = GenerativeTraining(
            model: model, dataset: Self.dataset, batchSize: 32, learningRate: 3e-4, epochs: 1, seed: 0)
        #expect(training.optimizers.entries.map(\.name) == ["autoencoder", "critic"])
        for (entry, group) in zip(training.optimizers.entries, model.parameterGroups) {
            let adam = try #require(entry.optimizer as? Adam)
            #expect(adam.learningRate == 3e-4 && adam.beta1 == 0.9 && adam.beta2 == 0.999)
            #expect(adam.epsilon == 1e-8 && adam.weightDecay == 0)
            #expect(adam.parameters.map(\.name) == group.parameters.map(\.name))
            #expect(zip(adam.parameters, group.parameters).allSatisfy { $0.tensor === $1.tensor })
        }
        _ = try training.step()
        #expect(training.optimizers.entries.allSatisfy { $0.optimizer.stepCount == 1 })
    }

    /// `optimizer.safetensors` keeps its names: each group's optimizer under the group's name, and a
    /// classifier's single optimizer without a prefix, as PyTorch writes it.
    @Test func theOptimizerFileKeepsItsNames() throws {
        var generator = RandomGenerator(seed: 2)
        let model = try GenerativeFactory.make(
            .aae, settings: .defaults(for: .aae), pixels: 784, generator: &generator)
        let training = GenerativeTraining(
            model: model, dataset: Self.dataset, batchSize: 32, learningRate: 3e-4, epochs: 1, seed: 0)
        _ = try training.step()
        let file = RunCheckpoint.optimizerFile(training.optimizers, metadata: [:])
        let names = file.entries.map(\.name)
        #expect(names.first == "reconstruction.encoder.0.weight.exp_avg")
        #expect(names.contains("discriminator.discriminator.4.bias.exp_avg_sq"))
        #expect(names.contains("generator.encoder.4.bias.exp_avg"))
        #expect(!names.contains { $0.hasPrefix("generator.decoder.") })
        #expect(
            ["reconstruction", "discriminator", "generator"].allSatisfy { file.metadata["counter.\($0).step"] == "1" })
        let classifier = ClassifierTraining(
            kind: .mlp, dataset: Self.dataset, batchSize: 32, learningRate: 1e-3, epochs: 1, seed: 0)
        let plain = RunCheckpoint.optimizerFile(classifier.optimizers, metadata: [:])
        #expect(plain.entries.first?.name == "0.weight.exp_avg" && plain.metadata["counter.step"] == "0")
    }
}
