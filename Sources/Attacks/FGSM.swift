import Models
import TensorCore

/// The fast gradient sign method (Goodfellow, Shlens & Szegedy 2015, "Explaining and Harnessing
/// Adversarial Examples"), L-inf:
/// `x' = clip_[0,1](x + eps * sign(grad_x L(x, y)))`, or, targeted (a class or the least likely one,
/// Kurakin et al. 2016), `x' = clip_[0,1](x - eps * sign(grad_x L(x, t)))`. One gradient per image.
///
/// Threat model: `norm` must be `.linf`; `epsilon` in (0, 1]; any goal. Input `[batch, pixels]`.
public struct FGSM: Attack {
    public var name: String { "fgsm" }
    public var citation: String { "Goodfellow, Shlens & Szegedy 2015, Explaining and Harnessing Adversarial Examples" }

    public init() {}

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm == .linf else { throw AttackError("FGSM is an L-inf attack; use --norm inf") }
        let targets = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        return IterativeSignRun(
            method: threat.goal == .leastLikely ? "ll" : name, classifier: classifier, images: images, labels: labels,
            targets: targets, epsilon: threat.epsilon, stepSize: threat.epsilon, steps: 1)
    }
}

/// Repeated signed-gradient steps projected onto the eps-ball: FGSM (one step of size eps), BIM and
/// iterative least-likely (Kurakin et al.), and each restart of L-inf PGD.
final class IterativeSignRun: GradientAttackRun {
    let epsilon: Float
    let stepSize: Float
    /// True when the first iterate is the clean batch itself.
    let startsClean: Bool

    init(
        method: String, classifier: Classifier, images: Tensor, labels: [Int], targets: [Int]?, epsilon: Float,
        stepSize: Float, steps: Int, start: Tensor? = nil
    ) {
        self.epsilon = epsilon
        self.stepSize = stepSize
        startsClean = start == nil
        // Each step replaces `adversarial` with a fresh tensor, so the first iterate is shared, not copied.
        let clean = images.detached()
        super.init(
            method: method, classifier: classifier, clean: clean, labels: labels, targets: targets,
            iterationCount: steps, gradientAtClean: start == nil, start: start ?? clean)
    }

    override func performStep() throws {
        // The first step starts at the clean images: their gradient came with the clean predictions.
        let (gradient, loss, _) = crossEntropyGradient(at: iteration == 0 && startsClean ? clean : adversarial)
        self.loss = loss
        adversarial = Projection.signStep(
            adversarial, gradient: gradient, clean: clean, step: stepSize, epsilon: epsilon)
    }
}
