import Models
import TensorCore

/// Projected gradient descent (Madry, Makelov, Schmidt, Tsipras & Vladu 2018, "Towards Deep Learning
/// Models Resistant to Adversarial Attacks"), L-inf or L2.
///
/// Optional random start uniform in the eps-ball, then repeat
/// `delta = Proj(delta + alpha * sign(grad_delta L(x + delta, y)))` for L-inf (clip to [-eps, eps], keep
/// x + delta in [0, 1]); the L2 variant steps along `g / ||g||_2` and projects onto the L2 ball. With
/// restarts, each image keeps the first restart that fools the model (else the last one). Targeted goals
/// descend `L(x + delta, t)`.
///
/// - `steps`: iterations per restart (default 20). `stepSize`: alpha (default nil: eps / 10 for L-inf,
///   eps / 4 for L2). `randomStart`: default true. `restarts`: default 1. `seed`: the random starts' seed;
///   each image's start is drawn from the seed, the restart and the image's own pixels (as APGD's), so an
///   image ends at the same point whether it is attacked alone or in a batch of any size.
/// Threat model: `.linf` (eps in (0, 1]) or `.l2` (eps in (0, sqrt(pixels)]), any goal.
/// Input `[batch, pixels]`; one gradient per image per step.
public struct PGD: Attack {
    public var steps: Int
    public var stepSize: Float?
    public var randomStart: Bool
    public var restarts: Int
    public var seed: UInt64

    public var name: String { "pgd" }
    public var citation: String {
        "Madry, Makelov, Schmidt, Tsipras & Vladu 2018, Towards Deep Learning Models Resistant to Adversarial Attacks"
    }

    public init(steps: Int = 20, stepSize: Float? = nil, randomStart: Bool = true, restarts: Int = 1, seed: UInt64 = 0)
    {
        self.steps = steps
        self.stepSize = stepSize
        self.randomStart = randomStart
        self.restarts = restarts
        self.seed = seed
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm != .l0 else { throw AttackError("PGD bounds L-inf or L2 perturbations, not L0") }
        guard steps >= 1, restarts >= 1 else { throw AttackError("PGD needs at least one step and one restart") }
        let alpha = stepSize ?? (threat.norm == .linf ? threat.epsilon / 10 : threat.epsilon / 4)
        guard alpha > 0, alpha.isFinite else { throw AttackError("step size alpha must be positive, got \(alpha)") }
        let targets = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        return PGDRun(
            method: threat.norm == .l2 ? "pgd-l2" : name, classifier: classifier, images: images.detached(),
            labels: labels, targets: targets, threat: threat, stepSize: alpha, steps: steps, restarts: restarts,
            randomStart: randomStart, seed: seed)
    }
}

/// PGD's step machine: `steps * restarts` iterations; `adversarial` is the current restart's iterate,
/// `output` the best per image over the restarts so far.
final class PGDRun: GradientAttackRun {
    let threat: ThreatModel
    let stepSize: Float
    let steps: Int
    let randomStart: Bool
    private let seed: UInt64
    /// Random starts drawn so far (the restart the next one begins).
    private var startsDrawn = 0
    private var best: Tensor?
    private var bestSuccess: [Bool]

    init(
        method: String, classifier: Classifier, images: Tensor, labels: [Int], targets: [Int]?, threat: ThreatModel,
        stepSize: Float, steps: Int, restarts: Int, randomStart: Bool, seed: UInt64
    ) {
        self.threat = threat
        self.stepSize = stepSize
        self.steps = steps
        self.randomStart = randomStart
        self.seed = seed
        bestSuccess = [Bool](repeating: false, count: labels.count)
        super.init(
            method: method, classifier: classifier, clean: images, labels: labels, targets: targets,
            iterationCount: steps * restarts, gradientAtClean: !randomStart)
        restart()
    }

    /// The current restart (0-based).
    public var restartIndex: Int { iteration / steps }

    /// Starts restart `startsDrawn`: every image from its own random point (seeded by the seed, the restart
    /// and its pixels, not by its place in the batch), or from the clean image.
    private func restart() {
        let restartSeed = seed &+ UInt64(startsDrawn) &* 0x9E37_79B9_7F4A_7C15
        startsDrawn += 1
        adversarial =
            randomStart
            ? Projection.randomStart(around: clean, norm: threat.norm, epsilon: threat.epsilon, seed: restartSeed)
            : clean.copy()
    }

    override var output: Tensor { best ?? adversarial }

    override func performStep() throws {
        // Without a random start the first iterate is the clean batch, whose gradient came with the clean
        // predictions.
        let (gradient, loss, _) = crossEntropyGradient(at: iteration == 0 && !randomStart ? clean : adversarial)
        self.loss = loss
        adversarial =
            threat.norm == .l2
            ? Projection.l2Step(adversarial, gradient: gradient, clean: clean, step: stepSize, epsilon: threat.epsilon)
            : Projection.signStep(
                adversarial, gradient: gradient, clean: clean, step: stepSize, epsilon: threat.epsilon)
        guard (iteration + 1) % steps == 0, iterationCount > steps else { return }
        // End of a restart: keep this restart's images where the best so far has not succeeded yet.
        let predicted = predict(adversarial)
        let succeeded = predicted.indices.map { isSuccess(prediction: predicted[$0], image: $0) }
        if let best {
            let take = succeeded.indices.map { succeeded[$0] && !bestSuccess[$0] }
            Projection.copyRows(from: adversarial, into: best, where: take)
        } else {
            best = adversarial.copy()
        }
        for index in succeeded.indices where succeeded[index] { bestSuccess[index] = true }
        if bestSuccess.allSatisfy({ $0 }) {
            stoppedEarly = true
        } else if iteration + 1 < iterationCount {
            restart()
        }
    }
}
