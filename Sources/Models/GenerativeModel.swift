import NeuralNet
import TensorCore

/// A generative model that trains one mini-batch at a time with optimizers it borrows.
///
/// `namedParameters` lists every network with a dotted prefix (`encoder.`, `decoder.`,
/// `discriminator.`, ...), so one safetensors file holds the whole model. `parameterGroups` says what
/// each optimizer updates; the training that runs the model (`GenerativeTraining`) creates one optimizer
/// per group, owns them and hands them to every `trainStep`, as `ClassifierTraining` owns a classifier's.
/// The group names are the optimizers' names, so one file holds all their states too.
public protocol GenerativeModel: Module {
    /// The model's kind as the command line names it (`ae`, `vae`, ...).
    var kind: String { get }
    /// The parameters each optimizer updates, one group per optimizer, named (a prefix in
    /// `optimizer.safetensors`) and in a stable order.
    var parameterGroups: [ParameterGroup] { get }
    /// One training step on `batch` ([batch, pixels], values in [0, 1]) with `optimizers`, one per
    /// group of `parameterGroups` under the group's name; returns per-step metrics, `loss` first.
    /// - Throws: `ModelFault` when a loss becomes non-finite.
    func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    /// Test metrics over `images` ([count * pixels], values in [0, 1]), without gradients.
    func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)]
}

/// A numerical failure in a model or sampler (non-finite loss, divergence): one line.
public struct ModelFault: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Building blocks shared by the models.
public enum Networks {
    /// Fully connected layers `sizes[0] -> sizes[1] -> ...`, `activation()` between them (not after
    /// the last), as a PyTorch `nn.Sequential` (indices count the activation layers).
    public static func perceptron(_ sizes: [Int], activation: () -> any Module, generator: inout RandomGenerator)
        -> Sequential
    {
        var layers: [any Module] = []
        for index in 0..<(sizes.count - 1) {
            if index > 0 { layers.append(activation()) }
            layers.append(Linear(inputCount: sizes[index], outputCount: sizes[index + 1], generator: &generator))
        }
        return Sequential(layers)
    }

    /// Calls `body` on consecutive batches `[rows, pixels]` of `images`.
    public static func forEachBatch(_ images: [Float], pixels: Int, batchSize: Int = 1000, _ body: (Tensor) -> Void) {
        let count = images.count / pixels
        var start = 0
        while start < count {
            let end = min(start + batchSize, count)
            body(Tensor(shape: [end - start, pixels], copying: images[(start * pixels)..<(end * pixels)]))
            start = end
        }
    }

    /// Sum of squared differences of two same-sized tensors, in Double.
    public static func squaredError(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.count == b.count, "squaredError: \(a.shape) vs \(b.shape)")
        var total = 0.0
        for i in 0..<a.count {
            let d = Double(a.data[i]) - Double(b.data[i])
            total += d * d
        }
        return total
    }

    /// Throws a `ModelFault` naming `what` when `value` is not finite (the training that catches it says
    /// where, and what the run folder keeps).
    public static func checkFinite(_ value: Float, _ what: String) throws {
        guard value.isFinite else { throw ModelFault("\(what) became \(value)") }
    }

    /// Runs `body` recording the autograd graph when `enabled`, else inside `noGrad`.
    public static func recording<T>(_ enabled: Bool, _ body: () throws -> T) rethrows -> T {
        enabled ? try body() : try noGrad(body)
    }

    /// Clears the gradients of every listed module's parameters.
    public static func zeroGradients(_ modules: [any Module]) {
        for module in modules { module.zeroGradients() }
    }
}

/// Which networks of an adversarial pair a training step updates, so the pair can be stepped one
/// network at a time (GAN Lab style).
public enum UpdateFocus: String, CaseIterable, Sendable {
    /// Every update of the step (the default).
    case all
    /// Encoder and decoder only: reconstruction and generator terms; the adversary is frozen.
    case autoencoderOnly
    /// The discriminator or critic only; encoder and decoder are frozen.
    case adversaryOnly
}

/// A generative model with an adversary on its latent space (AAE's discriminator, WAE's critic).
public protocol AdversarialGenerativeModel: GenerativeModel {
    /// Which networks `trainStep` updates; every metric is still reported (frozen terms evaluated
    /// without gradients).
    var updateFocus: UpdateFocus { get set }
}
