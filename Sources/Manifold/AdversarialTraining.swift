import Attacks
import Base
import Engine
import Models
import SafeTensors
import TensorCore

/// `train --adversarial pgd --eps E`: adversarial training (Madry et al. 2018), each batch replaced by PGD
/// examples crafted against the current model (`AdversarialExamples.pgd`: L-inf, random start,
/// `--adv-steps` steps of 2.5 eps / steps). A failing attack stops training with a one-line error.
enum AdversarialTraining {
    /// What `--adversarial pgd`, `--eps` and `--adv-steps` ask for.
    struct Settings {
        let epsilon: Float
        let steps: Int
    }

    /// The settings given, nil without `--adversarial`; `--eps` or `--adv-steps` alone is a usage error.
    static func settings(_ parsed: ParsedArguments) throws -> Settings? {
        guard try parsed.given(TrainOptions.adversarial) != nil else {
            if parsed.isGiven(TrainOptions.eps.name) || parsed.isGiven(TrainOptions.adversarialSteps.name) {
                throw UsageError("'--eps' and '--adv-steps' need '--adversarial pgd'")
            }
            return nil
        }
        return Settings(
            epsilon: Float(try parsed.value(TrainOptions.eps)), steps: try parsed.value(TrainOptions.adversarialSteps))
    }

    /// The per-batch transform for `model` and the description config.json records.
    static func transform(_ settings: Settings, model: Classifier, seed: UInt64) -> (
        transform: (Tensor, [Int], Int) throws -> Tensor, description: JSONValue
    ) {
        let (epsilon, steps) = (settings.epsilon, settings.steps)
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
