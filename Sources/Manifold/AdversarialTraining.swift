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
    static func transform(_ parsed: ParsedArguments, model: Classifier, seed: UInt64) throws -> (
        transform: (Tensor, [Int], Int) throws -> Tensor, description: JSONValue
    )? {
        guard let method = parsed.string("adversarial") else {
            if parsed.string("eps") != nil || parsed.string("adv-steps") != nil {
                throw UsageError("'--eps' and '--adv-steps' need '--adversarial pgd'")
            }
            return nil
        }
        guard method == "pgd" else {
            throw UsageError("option '--adversarial' must be pgd, got '\(Sanitize.line(method))'")
        }
        let epsilon = Float(try parsed.number("eps", default: 0.1, in: 0...1, excludingLower: true))
        let steps = try parsed.integer("adv-steps", default: 7, in: 1...1000)
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
