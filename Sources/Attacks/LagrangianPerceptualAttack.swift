import Models
import NeuralNet
import TensorCore

/// The Lagrangian perceptual attack, LPA (Laidlaw, Singla & Feizi 2021, "Perceptual Adversarial
/// Robustness: Defense Against Unseen Threat Models"), bounded by the classifier's own perceptual
/// distance (`PerceptualDistance`).
///
/// Maximises `margin(x') - lambda * relu(d(x, x') - bound)` by normalised gradient ascent from the clean
/// image, for `searchSteps` rounds of `steps` iterations; between rounds lambda is searched per image as
/// Carlini & Wagner search c: multiplied by 10 while the iterate ends outside the bound, bisected between
/// the last values inside and outside once both are known. An image keeps its first iterate that fools the
/// model within the bound; the others end at their last iterate projected onto the bound (bisection), so
/// every output satisfies `d <= bound`.
///
/// - `bound`; `steps` per round (default 20); `searchSteps` (default 5); `stepSize` (the first L2 step of
///   each round, default 1, decaying linearly to a tenth); `lambda` (the initial penalty, default 10);
///   `layers` (default: every hidden ReLU). Untargeted only.
public struct LagrangianPerceptualAttack: Attack {
    public var bound: Float
    public var steps: Int
    public var searchSteps: Int
    public var stepSize: Float
    public var lambda: Float
    public var layers: [String]?

    public var name: String { "lpa" }
    public var citation: String {
        "Laidlaw, Singla & Feizi 2021, Perceptual Adversarial Robustness: Defense Against Unseen Threat Models"
    }

    public init(
        bound: Float, steps: Int = 20, searchSteps: Int = 5, stepSize: Float = 1, lambda: Float = 10,
        layers: [String]? = nil
    ) {
        self.bound = bound
        self.steps = steps
        self.searchSteps = searchSteps
        self.stepSize = stepSize
        self.lambda = lambda
        self.layers = layers
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        try validatePerceptual(bound: bound, steps: steps, stepSize: stepSize, threat: threat, name: name)
        guard searchSteps >= 1 else { throw AttackError("lpa needs at least one search round") }
        guard lambda > 0, lambda.isFinite else { throw AttackError("lambda must be positive, got \(lambda)") }
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat, checkEpsilon: false)
        return LagrangianPerceptualRun(
            classifier: classifier, images: images.detached(), labels: labels,
            perceptual: try PerceptualDistance(classifier: classifier, layers: layers), attack: self)
    }
}

/// LPA's step machine: `searchSteps * steps` ascent steps; lambda moves at the end of each round.
final class LagrangianPerceptualRun: PerceptualAttackRun {
    let steps: Int
    private(set) var lambda: [Float]
    private var lower: [Float]
    private var upper: [Float]
    private var best: Tensor
    private var fooled: [Bool]

    init(
        classifier: Classifier, images: Tensor, labels: [Int], perceptual: PerceptualDistance,
        attack: LagrangianPerceptualAttack
    ) {
        steps = attack.steps
        let count = labels.count
        lambda = [Float](repeating: attack.lambda, count: count)
        lower = [Float](repeating: 0, count: count)
        upper = [Float](repeating: .infinity, count: count)
        best = images.copy()
        fooled = [Bool](repeating: false, count: count)
        super.init(
            method: attack.name, classifier: classifier, images: images, labels: labels, perceptual: perceptual,
            bound: attack.bound, stepSize: attack.stepSize, iterationCount: attack.steps * attack.searchSteps)
        fooled = cleanPredictions.indices.map { cleanPredictions[$0] != labels[$0] }
    }

    override var output: Tensor { best }

    override func performStep() throws {
        let step = iteration % steps
        if step == 0 { adversarial = clean.copy() }
        let (gradient, margins, _) = objectiveGradient(at: adversarial, lambda: lambda)
        loss = Double(margins.reduce(0, +)) / Double(max(margins.count, 1))
        let mask = fooled.map { !$0 }
        adversarial = ascend(adversarial, gradient: gradient, step: stepSize(at: step, of: steps))
        // Only the images not yet fooled within the bound are shown moving.
        Projection.copyRows(from: adversarial, into: best, where: mask)
        guard step == steps - 1 else { return }
        endRound(last: iteration + 1 >= iterationCount)
    }

    /// Keeps the iterates that fool the model within the bound, moves lambda, and at the very end projects
    /// the images never fooled onto the bound.
    private func endRound(last: Bool) {
        let distances = perceptual(adversarial, clean)
        let predicted = predict(adversarial)
        for i in lambda.indices where !fooled[i] {
            let inside = distances[i] <= bound
            if inside && predicted[i] != labels[i] {
                fooled[i] = true
                continue
            }
            if inside {
                upper[i] = lambda[i]
                lambda[i] = (lower[i] + upper[i]) / 2
            } else {
                lower[i] = lambda[i]
                lambda[i] = upper[i].isFinite ? (lower[i] + upper[i]) / 2 : lambda[i] * 10
            }
        }
        if fooled.allSatisfy({ $0 }) { stoppedEarly = true }
        if last || stoppedEarly {
            let rows = fooled.map { !$0 }
            let projected = perceptual.project(best, clean: clean, cleanFeatures: cleanFeatures, bound: bound).images
            Projection.copyRows(from: projected, into: best, where: rows)
            publishDistances()
        }
    }
}
