import Models
import TensorCore

/// APGD-T (Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks"): APGD with the targeted DLR loss
/// `-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)`, run once per target class t, the 2nd to
/// (k+1)-th most likely clean classes in turn, each time only on the images still correctly classified
/// (`TargetSweepRun`). An untargeted attack: an image counts as broken once misclassified, whatever class.
///
/// - `steps`: iterations per target (default 100). `targetCount`: k (default 9, as AutoAttack; capped at
///   classes - 1). `rho`, `seed`: as `APGD`. `loss`: `.dlr` (default) or `.crossEntropy` (targeted CE).
/// Threat model: `.linf` (eps in (0, 1]) or `.l2`, untargeted; the model needs 4 classes for the DLR loss.
/// Input `[batch, pixels]`; up to `k * (steps + 1)` gradients per image.
public struct APGDTargeted: Attack {
    public var steps: Int
    public var targetCount: Int
    public var rho: Double
    public var seed: UInt64
    public var loss: APGD.Loss

    public var name: String { "apgd-t" }
    public var citation: String {
        "Croce & Hein 2020, Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks"
    }

    public init(steps: Int = 100, targetCount: Int = 9, rho: Double = 0.75, seed: UInt64 = 0, loss: APGD.Loss = .dlr) {
        self.steps = steps
        self.targetCount = targetCount
        self.rho = rho
        self.seed = seed
        self.loss = loss
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm != .l0 else { throw AttackError("APGD-T bounds L-inf or L2 perturbations, not L0") }
        guard threat.goal == .untargeted else {
            throw AttackError("APGD-T picks its own targets; for one target class use apgd with a target")
        }
        guard targetCount >= 1 else { throw AttackError("APGD-T needs at least one target class") }
        let apgd = APGD(steps: steps, rho: rho, seed: seed, loss: loss)
        try apgd.checkClasses(classifier.classCount, targeted: true)
        guard steps >= 1, rho > 0, rho <= 1 else { throw AttackError("APGD needs steps >= 1 and rho in (0, 1]") }
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        let inner = ThreatModel(norm: threat.norm, epsilon: threat.epsilon)
        return TargetSweepRun(
            method: threat.norm == .l2 ? "apgd-t-l2" : "apgd-t", classifier: classifier, images: images.detached(),
            labels: labels, targetCount: min(targetCount, classifier.classCount - 1), stepsPerTarget: steps
        ) { images, labels, aims in
            APGDRun(
                attack: apgd, classifier: classifier, images: images, labels: labels, targets: nil, lossTargets: aims,
                threat: inner)
        }
    }
}
