import Attacks
import Base
import Engine
import Models
import SafeTensors
import TensorCore

/// `train --adversarial pgd --eps E`: adversarial training (Madry et al. 2018), each batch replaced by PGD
/// examples crafted against the current model (L-inf, random start, `--adv-steps` steps of 2.5 eps / steps).
enum AdversarialTraining {
    static func transform(_ parsed: ParsedArguments, model: Classifier, seed: UInt64) throws -> (
        transform: (Tensor, [Int], Int) -> Tensor, description: JSONValue
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
        let stepSize = 2.5 * epsilon / Float(steps)
        let transform: (Tensor, [Int], Int) -> Tensor = { images, labels, step in
            let attack = PGD(
                steps: steps, stepSize: stepSize, randomStart: true, restarts: 1, seed: seed &+ UInt64(step))
            let threat = ThreatModel(norm: .linf, epsilon: epsilon)
            guard let run = try? attack.makeRun(classifier: model, images: images, labels: labels, threat: threat)
            else { return images }
            while !run.isFinished { try? run.step() }
            return run.output
        }
        let description: JSONValue = .object([
            "method": .string("pgd"), "eps": .number(Double(epsilon)), "steps": .integer(steps),
            "alpha": .number(Double(stepSize)),
        ])
        return (transform, description)
    }
}
