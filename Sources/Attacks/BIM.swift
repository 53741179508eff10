import Models
import TensorCore

/// The basic iterative method, iterative FGSM (Kurakin, Goodfellow & Bengio 2016, "Adversarial Examples
/// in the Physical World"), L-inf: `x^0 = x`,
/// `x^m = clip_{x,eps}(x^{m-1} + alpha * sign(grad_x L(x^{m-1}, y)))`, where `clip_{x,eps}` projects
/// into the L-inf ball of radius eps around x and into [0, 1] (MATH.md: the step is alpha, and every
/// iterate is projected). Targeted (a class or least likely): the step descends `L(x, t)`.
///
/// - `steps`: iterations (default 20), one gradient per image each.
/// - `stepSize`: alpha (default nil: eps / 10).
/// Threat model: `.linf`, `epsilon` in (0, 1], any goal. Input `[batch, pixels]`.
public struct BIM: Attack {
    public var steps: Int
    public var stepSize: Float?

    public var name: String { "bim" }
    public var citation: String { "Kurakin, Goodfellow & Bengio 2016, Adversarial Examples in the Physical World" }

    public init(steps: Int = 20, stepSize: Float? = nil) {
        self.steps = steps
        self.stepSize = stepSize
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm == .linf else { throw AttackError("BIM is an L-inf attack; use --norm inf (or pgd-l2)") }
        guard steps >= 1 else { throw AttackError("BIM needs at least one step") }
        let alpha = stepSize ?? threat.epsilon / 10
        guard alpha > 0, alpha.isFinite else { throw AttackError("step size alpha must be positive, got \(alpha)") }
        let targets = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        return IterativeSignRun(
            method: threat.goal == .leastLikely ? "ill" : name, classifier: classifier, images: images,
            labels: labels, targets: targets, epsilon: threat.epsilon, stepSize: alpha, steps: steps)
    }
}
