import Models
import NeuralNet
import TensorCore

/// Perceptual projected gradient descent, PPGD (Laidlaw, Singla & Feizi 2021, "Perceptual Adversarial
/// Robustness: Defense Against Unseen Threat Models"), bounded by the classifier's own perceptual
/// distance (`PerceptualDistance`, their "self" LPIPS).
///
/// Each step ascends the margin loss along its normalised input gradient, then projects back onto
/// `{x' : d(x, x') <= bound}` by bisection along the segment from the clean image. A simplification of
/// theirs: they step in the distance's linearised geometry (a conjugate-gradient solve with the feature
/// Jacobian); this steps in L2 and lets the projection enforce the bound. Each image keeps its first
/// iterate that fools the model.
///
/// - `bound`: the largest perceptual distance. `steps` (default 40), `stepSize` (the first L2 step,
///   default 1, decaying linearly to a tenth), `layers` (default: every hidden ReLU).
/// Untargeted only; the threat model's norm and radius are unused.
public struct PerceptualPGD: Attack {
    public var bound: Float
    public var steps: Int
    public var stepSize: Float
    public var layers: [String]?

    public var name: String { "ppgd" }
    public var citation: String {
        "Laidlaw, Singla & Feizi 2021, Perceptual Adversarial Robustness: Defense Against Unseen Threat Models"
    }

    public init(bound: Float, steps: Int = 40, stepSize: Float = 1, layers: [String]? = nil) {
        self.bound = bound
        self.steps = steps
        self.stepSize = stepSize
        self.layers = layers
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        try validatePerceptual(bound: bound, steps: steps, stepSize: stepSize, threat: threat, name: name)
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat, checkEpsilon: false)
        return PerceptualPGDRun(
            classifier: classifier, images: images.detached(), labels: labels,
            perceptual: try PerceptualDistance(classifier: classifier, layers: layers), attack: self)
    }
}

/// The checks LPA and PPGD share.
func validatePerceptual(bound: Float, steps: Int, stepSize: Float, threat: ThreatModel, name: String) throws {
    guard threat.goal == .untargeted else { throw AttackError("\(name) is untargeted; drop the target") }
    guard bound > 0, bound <= 4 else {
        throw AttackError("the perceptual bound must be in (0, 4] (the distance's range), got \(bound)")
    }
    guard steps >= 1 else { throw AttackError("\(name) needs at least one step") }
    guard stepSize > 0, stepSize.isFinite else { throw AttackError("step size must be positive, got \(stepSize)") }
}

/// PPGD's step machine: one margin ascent step and one projection per iteration.
final class PerceptualPGDRun: PerceptualAttackRun {
    private var best: Tensor
    private var fooled: [Bool]

    init(classifier: Classifier, images: Tensor, labels: [Int], perceptual: PerceptualDistance, attack: PerceptualPGD) {
        best = images.copy()
        fooled = [Bool](repeating: false, count: labels.count)
        super.init(
            method: attack.name, classifier: classifier, images: images, labels: labels, perceptual: perceptual,
            bound: attack.bound, stepSize: attack.stepSize, iterationCount: attack.steps)
        fooled = cleanPredictions.indices.map { cleanPredictions[$0] != labels[$0] }
    }

    override var output: Tensor { best }

    override func performStep() throws {
        let (gradient, margins, _) = objectiveGradient(at: adversarial, lambda: nil)
        loss = Double(margins.reduce(0, +)) / Double(max(margins.count, 1))
        let stepped = ascend(adversarial, gradient: gradient, step: stepSize(at: iteration, of: iterationCount))
        adversarial = perceptual.project(stepped, clean: clean, cleanFeatures: cleanFeatures, bound: bound).images
        let predicted = predict(adversarial)
        let take = predicted.indices.map { !fooled[$0] }
        Projection.copyRows(from: adversarial, into: best, where: take)
        for index in predicted.indices where predicted[index] != labels[index] { fooled[index] = true }
        if fooled.allSatisfy({ $0 }) { stoppedEarly = true }
        if isFinishedAfterThisStep { publishDistances() }
    }

    private var isFinishedAfterThisStep: Bool { stoppedEarly || iteration + 1 >= iterationCount }
}
