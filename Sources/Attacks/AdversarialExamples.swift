import Models
import TensorCore

/// Adversarial training's batch transform (Madry et al. 2018, "Towards Deep Learning Models Resistant to
/// Adversarial Attacks"): each training batch is replaced by the examples an attack crafts against the
/// current model.
///
/// A failing attack stops the training step with `AdversarialExamples.Failure` (one line naming the step
/// and the cause) rather than training on the clean images, which would silently be standard training.
public struct AdversarialExamples {
    /// An attack that could not craft a batch's examples.
    public struct Failure: Error, CustomStringConvertible {
        /// The optimizer step at which the attack failed.
        public let step: Int
        /// The attack's own error.
        public let cause: any Error
        public var description: String {
            "adversarial training: the attack failed at training step \(step): \(cause); stopped instead of training on clean images"
        }
    }

    /// The attack for a training step (a fresh seed per step).
    public let attack: (_ step: Int) -> any Attack
    public let threat: ThreatModel

    public init(threat: ThreatModel, attack: @escaping (_ step: Int) -> any Attack) {
        self.attack = attack
        self.threat = threat
    }

    /// PGD with a random start, `steps` steps of `2.5 epsilon / steps` in the L-inf ball of radius `epsilon`,
    /// seeded with `seed + step`: Madry et al.'s recipe.
    public static func pgd(epsilon: Float, steps: Int, seed: UInt64) -> AdversarialExamples {
        let stepSize = pgdStepSize(epsilon: epsilon, steps: steps)
        return AdversarialExamples(threat: ThreatModel(norm: .linf, epsilon: epsilon)) { step in
            PGD(steps: steps, stepSize: stepSize, randomStart: true, restarts: 1, seed: seed &+ UInt64(step))
        }
    }

    /// Fast FGSM with a random start (`FastFGSM`: one step of 1.25 epsilon from a uniform start in the
    /// L-inf ball of radius `epsilon`), seeded with `seed + step`: Wong, Rice & Kolter 2020's recipe.
    public static func fastFGSM(epsilon: Float, seed: UInt64) -> AdversarialExamples {
        AdversarialExamples(threat: ThreatModel(norm: .linf, epsilon: epsilon)) { step in
            FastFGSM(seed: seed &+ UInt64(step))
        }
    }

    /// The PGD step size of `pgd(epsilon:steps:seed:)`: `2.5 epsilon / steps`.
    public static func pgdStepSize(epsilon: Float, steps: Int) -> Float { 2.5 * epsilon / Float(steps) }

    /// The adversarial examples of `images` `[batch, pixels]` against `model`.
    /// - Throws: `Failure` when the attack cannot run or fails during a step.
    public func callAsFunction(_ model: Classifier, images: Tensor, labels: [Int], step: Int) throws -> Tensor {
        do {
            let run = try attack(step).makeRun(classifier: model, images: images, labels: labels, threat: threat)
            while !run.isFinished { try run.step() }
            return run.output
        } catch {
            throw Failure(step: step, cause: error)
        }
    }
}
