import Attacks
import Models
import NeuralNet
import TensorCore

/// What a classifier's training step minimises on a batch: plain cross-entropy, cross-entropy on
/// adversarial examples (PGD-AT, fast FGSM), or TRADES' regularised loss. `ClassifierTraining` calls it
/// once per step, then back-propagates the returned loss and takes the optimizer step.
public protocol ClassifierObjective {
    /// The loss of `model` on `images` `[batch, pixels]` with `labels`, a 0-d tensor whose backward pass
    /// fills the parameters' gradients.
    /// - Parameter step: the optimizer's step count, which seeds any randomness (so a resumed run
    ///   draws what an uninterrupted one would).
    /// - Throws: when the batch cannot be made (a failing attack): the step stops before any update.
    func loss(model: Classifier, images: Tensor, labels: [Int], step: Int) throws -> Tensor
}

/// Mean softmax cross-entropy on the clean batch: standard training.
public struct CrossEntropyObjective: ClassifierObjective {
    public init() {}

    public func loss(model: Classifier, images: Tensor, labels: [Int], step: Int) throws -> Tensor {
        Loss.crossEntropy(logits: model(images), labels: labels)
    }
}

/// Mean cross-entropy on a replaced batch: adversarial training whose attack only changes the inputs
/// (Madry et al. 2018's PGD-AT, Wong et al. 2020's fast FGSM).
public struct AdversarialInputObjective: ClassifierObjective {
    /// Makes the batch to train on from the model, the clean batch `[batch, pixels]`, its labels and the
    /// step count.
    public let craft: (_ model: Classifier, _ images: Tensor, _ labels: [Int], _ step: Int) throws -> Tensor

    public init(craft: @escaping (_ model: Classifier, _ images: Tensor, _ labels: [Int], _ step: Int) throws -> Tensor)
    {
        self.craft = craft
    }

    /// Cross-entropy on the examples `examples` crafts against the model being trained.
    public init(examples: AdversarialExamples) {
        craft = { model, images, labels, step in try examples(model, images: images, labels: labels, step: step) }
    }

    public func loss(model: Classifier, images: Tensor, labels: [Int], step: Int) throws -> Tensor {
        Loss.crossEntropy(logits: model(try craft(model, images, labels, step)), labels: labels)
    }
}
