import Models
import TensorCore

/// FGSM with a random start (Wong, Rice & Kolter 2020, "Fast is better than free: Revisiting adversarial
/// training"), L-inf: `delta ~ U(-eps, eps)` (with `x + delta` clipped to [0, 1]), then one signed-gradient
/// step of `alpha` from `x + delta`, projected back onto the eps-ball and [0, 1]. The attack of fast
/// adversarial training (`train --adversarial fgsm-rs`); its step of 1.25 eps is the paper's.
///
/// - `stepSize`: alpha (default nil: 1.25 eps). `seed`: the random start's seed (default 0).
/// Threat model: `.linf`, eps in (0, 1], any goal. Input `[batch, pixels]`; one gradient per image.
public struct FastFGSM: Attack {
    public var stepSize: Float?
    public var seed: UInt64

    /// alpha / eps of Wong et al.'s recipe.
    public static let stepFactor: Float = 1.25

    public var name: String { "fgsm-rs" }
    public var citation: String {
        "Wong, Rice & Kolter 2020, Fast is better than free: Revisiting adversarial training"
    }

    public init(stepSize: Float? = nil, seed: UInt64 = 0) {
        self.stepSize = stepSize
        self.seed = seed
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm == .linf else { throw AttackError("fast FGSM is an L-inf attack; use --norm inf") }
        let alpha = stepSize ?? Self.stepFactor * threat.epsilon
        guard alpha > 0, alpha.isFinite else { throw AttackError("step size alpha must be positive, got \(alpha)") }
        let targets = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        let clean = images.detached()
        var generator = RandomGenerator(seed: seed)
        let start = Projection.randomStart(around: clean, norm: .linf, epsilon: threat.epsilon, generator: &generator)
        return IterativeSignRun(
            method: name, classifier: classifier, images: clean, labels: labels, targets: targets,
            epsilon: threat.epsilon, stepSize: alpha, steps: 1, start: start)
    }
}
