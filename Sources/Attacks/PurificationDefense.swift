import Models
import NeuralNet
import TensorCore

/// How an attack's gradient passes through a purifier (Athalye, Carlini & Wagner 2018, "Obfuscated
/// gradients give a false sense of security").
public enum PurifierGradient: String, CaseIterable, Sendable {
    /// Backward Pass Differentiable Approximation: the purifier runs forward as it is, and its backward
    /// pass is the identity (it approximately returns its input).
    case bpda
    /// Autograd through the purifier itself (the reverse chain, the Langevin steps, or the latent search's
    /// straight-through estimate; see each purifier).
    case full
}

/// Whether a purifier's random draws repeat between calls.
public enum PurifierRandomness: String, CaseIterable, Sendable {
    /// Every call draws the same numbers (a generator restarted from one seed): the attacker's gradients
    /// and the final evaluation see the same noise, so the defence is a fixed function.
    case fixed
    /// Every call draws new numbers: the evaluation sees noise the attack never saw (the defence's
    /// intended use; attacks then need EOT).
    case fresh
}

/// A purifier in front of a classifier, as the first layer of a network: the defended model an attack
/// sees (`PurificationDefense.wrap`).
public final class PurificationLayer: Module {
    public let purifier: any Purifier
    /// How gradients pass through; set by the adaptive attack that runs.
    public var gradient: PurifierGradient
    public let randomness: PurifierRandomness
    public let seed: UInt64
    private var generator: RandomGenerator

    public init(purifier: any Purifier, gradient: PurifierGradient, randomness: PurifierRandomness, seed: UInt64) {
        self.purifier = purifier
        self.gradient = gradient
        self.randomness = randomness
        self.seed = seed
        generator = RandomGenerator(seed: seed)
    }

    /// Starts the fresh draws over from the seed (a fixed layer always starts there).
    public func reset() { generator = RandomGenerator(seed: seed) }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        var draws = randomness == .fixed ? RandomGenerator(seed: seed) : generator
        defer { if randomness == .fresh { generator = draws } }
        let recording = GradMode.isEnabled && input.requiresGrad
        switch gradient {
        case .full:
            return purifier.purify(input, generator: &draws)
        case .bpda:
            let purified = noGrad { purifier.purify(input.detached(), generator: &draws) }
            guard recording else { return purified }
            // Forward: the purified image; backward: the identity.
            return input + noGrad { purified - input.detached() }
        }
    }
}

/// Building defended classifiers from a classifier and a purifier.
public enum PurificationDefense {
    /// `classifier(purify(x))` as a `Classifier`, so every attack runs on it unchanged.
    /// - Throws: `PurifierError` when the purifier's image size is not the classifier's.
    public static func wrap(_ classifier: Classifier, layer: PurificationLayer) throws -> Classifier {
        try checkSize(classifier, purifier: layer.purifier)
        return Classifier(
            kind: classifier.kind, architecture: classifier.architecture, imageHeight: classifier.imageHeight,
            imageWidth: classifier.imageWidth, classCount: classifier.classCount,
            network: Sequential([layer] + classifier.network.layers))
    }

    /// - Throws: `PurifierError` when `purifier`'s image size is not `classifier`'s.
    public static func checkSize(_ classifier: Classifier, purifier: any Purifier) throws {
        let pixels = classifier.imageHeight * classifier.imageWidth
        guard purifier.pixelCount == pixels else {
            throw PurifierError(
                "the purifier takes \(purifier.pixelCount) pixels but the classifier takes "
                    + "\(classifier.imageHeight)x\(classifier.imageWidth) = \(pixels)")
        }
    }

    /// The purification layer of a classifier `wrap` built, if it is one.
    public static func layer(of classifier: Classifier) -> PurificationLayer? {
        classifier.network.layers.first as? PurificationLayer
    }
}
