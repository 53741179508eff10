import NeuralNet
import TensorCore
import Testing

@testable import Models

/// One Adam per parameter group of `model`, named after the group: what `GenerativeTraining` creates
/// (the engine sits above this target, so the tests build them the same way here).
func adamOptimizers(for model: any GenerativeModel, learningRate: Float = 1e-3) -> NamedOptimizers {
    NamedOptimizers(model.parameterGroups) { Adam(parameters: $0.parameters, learningRate: learningRate) }
}

/// Generative models declare their parameter groups and borrow the optimizers a training step uses;
/// they own none (issue 13: one ownership model for classifiers and generative models).
struct ParameterGroupTests {
    static func models() -> [(any GenerativeModel, groups: [String])] {
        var g = RandomGenerator(seed: 5)
        return [
            (Autoencoder(pixels: 16, latent: 2, generator: &g), ["autoencoder"]),
            (VariationalAutoencoder(pixels: 16, hidden: 8, latent: 2, generator: &g), ["vae"]),
            (
                AdversarialAutoencoder(pixels: 16, latent: 2, prior: .gaussian, generator: &g),
                ["reconstruction", "discriminator", "generator"]
            ),
            (
                WassersteinAutoencoder(pixels: 16, latent: 2, penalty: .critic, generator: &g),
                ["autoencoder", "critic"]
            ),
            (WassersteinAutoencoder(pixels: 16, latent: 2, penalty: .mmd, generator: &g), ["autoencoder"]),
            (DenoisingAutoencoder(pixels: 16, sigmas: [0.5, 0.1], hidden: 8, generator: &g), ["dae"]),
            (DDPM(pixels: 16, hidden: 8, embedding: 4, averageDecay: 0.9, generator: &g), ["ddpm"]),
        ]
    }

    /// The group names are the prefixes `optimizer.safetensors` has always used, and the groups cover
    /// every trained parameter under the name the model lists it by (so the files keep their names).
    @Test func everyModelDeclaresTheGroupsItsOptimizersUpdate() {
        for (model, expected) in Self.models() {
            let groups = model.parameterGroups
            #expect(groups.map(\.name) == expected, "\(model.kind)")
            let listed = model.namedParameters.filter { !$0.name.hasPrefix("ema.") }
            let grouped = groups.flatMap(\.parameters)
            for (name, tensor) in grouped {
                #expect(listed.contains { $0.name == name && $0.tensor === tensor }, "\(model.kind): \(name)")
            }
            for (name, tensor) in listed {
                #expect(grouped.contains { $0.tensor === tensor }, "\(model.kind): \(name) is in no group")
            }
        }
    }

    /// A model holds no optimizer state: stepping twice, moving the optimizers' state into fresh ones
    /// and stepping twice more gives exactly the weights of four steps with one set (the DDPM's
    /// weight average reads its warm-up step from the optimizer it is lent).
    @Test func theBorrowedOptimizersCarryAllTheTrainingState() throws {
        for index in Self.models().indices {
            let straight = Self.models()[index].0
            let resumed = Self.models()[index].0
            var data = RandomGenerator(seed: 8)
            let batch = Tensor.randomUniform([6, 16], low: 0, high: 1, generator: &data)
            var generatorA = RandomGenerator(seed: 9)
            var generatorB = RandomGenerator(seed: 9)
            let optimizers = adamOptimizers(for: straight)
            for _ in 0..<4 { _ = try straight.trainStep(batch, optimizers: optimizers, generator: &generatorA) }
            let first = adamOptimizers(for: resumed)
            for _ in 0..<2 { _ = try resumed.trainStep(batch, optimizers: first, generator: &generatorB) }
            let second = adamOptimizers(for: resumed)
            for ((_, from), (_, to)) in zip(first.entries, second.entries) {
                let state = from.stateDict()
                try to.loadStateDict(
                    tensors: Dictionary(uniqueKeysWithValues: state.tensors.map { ($0.name, $0.tensor) }),
                    counters: state.counters)
            }
            for _ in 0..<2 { _ = try resumed.trainStep(batch, optimizers: second, generator: &generatorB) }
            #expect(
                straight.namedParameters.map(\.tensor.scalars) == resumed.namedParameters.map(\.tensor.scalars),
                "\(straight.kind)")
            #expect(second[straight.parameterGroups[0].name].stepCount == 4)
        }
    }

    /// The step updates through the optimizers it is given: an adversarial autoencoder whose
    /// discriminator optimizer has a zero learning rate keeps its discriminator.
    @Test func theStepUpdatesThroughTheOptimizersItIsGiven() throws {
        var g = RandomGenerator(seed: 3)
        let model = AdversarialAutoencoder(pixels: 16, latent: 2, prior: .gaussian, generator: &g)
        let optimizers = adamOptimizers(for: model)
        optimizers["discriminator"].learningRate = 0
        let discriminator = model.discriminator.parameters.map(\.scalars)
        let encoder = model.encoder.parameters.map(\.scalars)
        let batch = Tensor.randomUniform([6, 16], low: 0, high: 1, generator: &g)
        _ = try model.trainStep(batch, optimizers: optimizers, generator: &g)
        #expect(model.discriminator.parameters.map(\.scalars) == discriminator)
        #expect(model.encoder.parameters.map(\.scalars) != encoder)
        #expect(optimizers.entries.map(\.optimizer.stepCount) == [1, 1, 1])
    }
}
