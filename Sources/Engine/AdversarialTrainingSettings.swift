import Attacks
import Base
import Models
import TensorCore

/// Adversarial training (Madry et al. 2018, "Towards deep learning models resistant to adversarial
/// attacks"): each batch is replaced by PGD examples crafted against the current model
/// (`AdversarialExamples.pgd`: L-inf, random start, `steps` steps of 2.5 eps / steps).
public struct AdversarialTrainingSettings: Sendable {
    public let epsilon: Float
    public let steps: Int

    public init(epsilon: Float, steps: Int) {
        self.epsilon = epsilon
        self.steps = steps
    }

    /// The per-batch transform for `model` (for `TrainingSession.setInputTransform`) and the
    /// description config.json records. A failing attack throws, which stops training.
    public func transform(model: Classifier, seed: UInt64) -> (
        transform: (Tensor, [Int], Int) throws -> Tensor, description: JSONValue
    ) {
        let (epsilon, steps) = (self.epsilon, self.steps)
        let examples = AdversarialExamples.pgd(epsilon: epsilon, steps: steps, seed: seed)
        let description: JSONValue = .object([
            "method": .string("pgd"), "eps": .number(Double(epsilon)), "steps": .integer(steps),
            "alpha": .number(Double(AdversarialExamples.pgdStepSize(epsilon: epsilon, steps: steps))),
        ])
        return (
            { images, labels, step in try examples(model, images: images, labels: labels, step: step) }, description
        )
    }
}
