import Models
import TensorCore

/// The least-likely-class attacks (Kurakin, Goodfellow & Bengio 2016, "Adversarial Examples in the
/// Physical World"): with `y_LL = argmin_k p(k | x)` under the clean model,
/// one step `x' = clip_[0,1](x - eps * sign(grad_x L(x, y_LL)))` (`ll`), or the iterative version
/// stepping by alpha and projecting onto the eps-ball as BIM (`ill`). Success means reaching `y_LL`.
///
/// Least-likely targeting is also a goal every targeted attack accepts (`AttackGoal.leastLikely`); this
/// type fixes that goal for the two methods of the paper.
/// - `iterative`: false for `ll` (one step of eps), true for `ill` (default false).
/// - `steps`: iterations of `ill` (default 20). `stepSize`: alpha of `ill` (default nil: eps / 10).
/// Threat model: `.linf`, `epsilon` in (0, 1]; its goal is replaced by `.leastLikely`. Input `[batch, pixels]`.
public struct LeastLikely: Attack {
    public var iterative: Bool
    public var steps: Int
    public var stepSize: Float?

    public var name: String { iterative ? "ill" : "ll" }
    public var citation: String { "Kurakin, Goodfellow & Bengio 2016, Adversarial Examples in the Physical World" }

    public init(iterative: Bool = false, steps: Int = 20, stepSize: Float? = nil) {
        self.iterative = iterative
        self.steps = steps
        self.stepSize = stepSize
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        var leastLikely = threat
        leastLikely.goal = .leastLikely
        if iterative {
            return try BIM(steps: steps, stepSize: stepSize).makeRun(
                classifier: classifier, images: images, labels: labels, threat: leastLikely)
        }
        return try FGSM().makeRun(classifier: classifier, images: images, labels: labels, threat: leastLikely)
    }
}
