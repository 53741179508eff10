import Models
import NeuralNet
import TensorCore
import Testing

@testable import Engine

/// The weight counts `RunCheckpoint.checkRoom` compares with a run's model.safetensors before a model is
/// built from its config.json: a classifier's exactly, a generative model's as a bound on every weight that
/// grows with its sizes.
@Suite struct RunWeightCountTests {
    static func weights(_ module: any Module) -> Int { module.namedParameters.map(\.tensor.count).reduce(0, +) }

    @Test func aClassifiersCountIsTheBuiltModels() {
        for (kind, architecture) in [
            (Classifier.Kind.mlp, Classifier.Architecture.standard), (.cnn, .standard), (.cnn, .madry), (.cnn, .wong),
        ] {
            for (height, width, classes) in [(28, 28, 10), (12, 20, 3)] {
                var generator = RandomGenerator(seed: 0)
                let model = Classifier(
                    kind: kind, architecture: architecture, imageHeight: height, imageWidth: width,
                    classCount: classes, generator: &generator)
                let counted = Classifier.parameterCount(
                    kind: kind, architecture: architecture, imageHeight: height, imageWidth: width,
                    classCount: classes)
                #expect(counted == Self.weights(model), "\(kind) \(architecture) \(height)x\(width) \(classes)")
            }
        }
    }

    /// The bound is never above the model's weights (a run as trained is never refused), and what it leaves
    /// out does not grow with the pixels, the code size or the classes (so a model that passes is at most
    /// that much larger than its file holds).
    @Test func aGenerativeBoundHoldsEveryWeightThatGrowsWithTheSizes() throws {
        var cases: [(GenerativeKind, GenerativeSettings)] = []
        for kind in GenerativeKind.allCases where kind != .pca {
            cases.append((kind, .defaults(for: kind)))
        }
        var conditional = GenerativeSettings.defaults(for: .vae)
        conditional.conditional = true
        cases.append((.vae, conditional))
        var oneLevel = GenerativeSettings.defaults(for: .dae)
        oneLevel.sigmas = [0.3]
        cases.append((.dae, oneLevel))
        for network in [DDPM.Network.mlp, .mlpTime, .unet] {
            var settings = GenerativeSettings.defaults(for: .ddpm)
            settings.network = network
            cases.append((.ddpm, settings))
        }
        for (kind, base) in cases {
            var leftOut: Set<Int> = []
            for (pixels, latent, classes) in [(64, 3, 2), (256, 5, 4)] {
                var settings = base
                if kind.usesLatent { settings.latent = latent }
                settings.classCount = classes
                var generator = RandomGenerator(seed: 0)
                let model = try GenerativeFactory.make(kind, settings: settings, pixels: pixels, generator: &generator)
                let bound = settings.weightBound(kind: kind, pixels: pixels)
                #expect(bound <= Self.weights(model), "\(kind) \(settings.network) \(pixels)")
                leftOut.insert(Self.weights(model) - bound)
            }
            #expect(leftOut.count == 1, "\(kind) \(base.network) \(base.conditional): \(leftOut)")
        }
        for (pixels, latent) in [(16, 3), (64, 5)] {
            var settings = GenerativeSettings.defaults(for: .pca)
            settings.latent = latent
            #expect(
                settings.weightBound(kind: .pca, pixels: pixels)
                    <= Self.weights(PCA(components: latent, features: pixels)))
        }
    }
}
