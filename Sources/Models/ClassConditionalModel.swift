import NeuralNet
import TensorCore

/// A generative model that can learn `p(x | y)` from labelled images: a class-conditional DDPM
/// (`DDPM` with `classCount > 0`; Ho & Salimans 2021).
///
/// `GenerativeTraining` hands such a model the labels of each batch and of the test images; a model
/// whose `classCount` is 0 is unconditional and is trained through `GenerativeModel` alone.
public protocol ClassConditionalModel: GenerativeModel {
    /// The classes the model is conditioned on, labels `0..<classCount`; 0 for an unconditional model.
    var classCount: Int { get }
    /// One training step on `batch` ([batch, pixels], values in [0, 1]) with one label per row.
    /// - Throws: `ModelFault` when a loss becomes non-finite.
    func trainStep(_ batch: Tensor, labels: [Int], optimizers: NamedOptimizers, generator: inout RandomGenerator)
        throws -> [(name: String, value: Double)]
    /// Test metrics over `images` ([count * pixels], values in [0, 1]) and their labels, without gradients.
    func evaluate(images: [Float], labels: [Int], generator: inout RandomGenerator) -> [(name: String, value: Double)]
}
