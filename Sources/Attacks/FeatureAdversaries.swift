import Models
import NeuralNet
import TensorCore

/// Feature adversaries (Sabour, Cao, Faghri & Fleet 2016, "Adversarial Manipulation of Deep
/// Representations"): move a source image's internal representation at one layer onto a guide image's
/// while the pixels stay within an L-inf ball around the source,
/// `min ||phi_k(x') - phi_k(g)||_2^2  s.t.  ||x' - x||_inf <= delta, x' in [0, 1]`.
///
/// Solved by projected signed-gradient descent (as ART's `FeatureAdversariesPyTorch` does without an
/// optimizer): `x' <- Proj(x' - alpha * sign(grad))`, keeping per image the iterate with the smallest
/// feature distance seen (the last iterate of a fixed-step sign descent oscillates around the minimum).
/// Success is the classifier predicting the guide's class. Per image the run reports the feature
/// distance `||phi_k(x') - phi_k(g)||_2` relative to the source's `||phi_k(x) - phi_k(g)||_2`.
///
/// - `layer`: the layer k as PyTorch names it (`Classifier.layerNames`). `guide`: the guide image's
///   pixels; `guideLabel`: its class. `steps` (default 100), `stepSize` alpha (default delta / 10),
///   `randomStart` (default false), `seed` (each image's start is drawn from the seed and its own pixels).
/// Threat model: `.linf` with delta = `epsilon`; the goal is always the guide's class.
public struct FeatureAdversaries: Attack {
    /// nil: the last hidden layer (`Classifier.featureLayerNames.last`).
    public var layer: String?
    public var guide: [Float]
    public var guideLabel: Int
    public var steps: Int
    public var stepSize: Float?
    public var randomStart: Bool
    public var seed: UInt64

    public var name: String { "feature" }
    public var citation: String {
        "Sabour, Cao, Faghri & Fleet 2016, Adversarial Manipulation of Deep Representations"
    }

    public init(
        layer: String?, guide: [Float], guideLabel: Int, steps: Int = 100, stepSize: Float? = nil,
        randomStart: Bool = false, seed: UInt64 = 0
    ) {
        self.layer = layer
        self.guide = guide
        self.guideLabel = guideLabel
        self.steps = steps
        self.stepSize = stepSize
        self.randomStart = randomStart
        self.seed = seed
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm == .linf else { throw AttackError("feature adversaries bound L-inf perturbations only") }
        guard threat.goal == .untargeted else {
            throw AttackError("feature adversaries aim at the guide's class; drop the target")
        }
        guard steps >= 1 else { throw AttackError("feature adversaries need at least one step") }
        let layer = self.layer ?? classifier.featureLayerNames.last ?? ""
        guard classifier.layerIndex(named: layer) != nil else {
            throw AttackError(
                "no layer '\(layer)' in the \(classifier.kind.rawValue) (layers: \(classifier.layerDescriptions.joined(separator: ", ")))"
            )
        }
        guard guide.count == classifier.imageHeight * classifier.imageWidth else {
            throw AttackError("the guide image has \(guide.count) pixels; the model takes \(images.shape.last ?? 0)")
        }
        guard guideLabel >= 0, guideLabel < classifier.classCount else {
            throw AttackError("guide label \(guideLabel) is not a class of the model")
        }
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        if let index = labels.firstIndex(of: guideLabel) {
            throw AttackError(
                "source image \(index) has the guide's class \(guideLabel); pick a guide of another class")
        }
        let alpha = stepSize ?? threat.epsilon / 10
        guard alpha > 0, alpha.isFinite else { throw AttackError("step size alpha must be positive, got \(alpha)") }
        return FeatureAdversariesRun(
            classifier: classifier, images: images.detached(), labels: labels, attack: self, layer: layer,
            epsilon: threat.epsilon, stepSize: alpha)
    }
}

/// Feature adversaries' step machine: one signed-gradient descent step on the feature distance per
/// iteration; `output` is each image's closest iterate so far.
final class FeatureAdversariesRun: GradientAttackRun {
    let layer: String
    let epsilon: Float
    let stepSize: Float
    /// The guide's activations at `layer`, `[1, features]`.
    let guideFeatures: Tensor
    /// Per image: `||phi(x) - phi(g)||_2` at the source, and the smallest distance found so far.
    let sourceDistances: [Float]
    private(set) var bestDistances: [Float]
    private var best: Tensor

    init(
        classifier: Classifier, images: Tensor, labels: [Int], attack: FeatureAdversaries, layer: String,
        epsilon: Float, stepSize: Float
    ) {
        self.layer = layer
        self.epsilon = epsilon
        self.stepSize = stepSize
        let pixels = images.shape[1]
        let guideFeatures = noGrad {
            classifier.activations(Tensor(shape: [1, pixels], scalars: attack.guide), at: layer)
                .reshaped([1, -1])
        }
        self.guideFeatures = guideFeatures
        let sources = noGrad {
            FeatureAdversariesRun.distances(
                classifier.activations(images, at: layer).reshaped([images.shape[0], -1]), to: guideFeatures)
        }
        sourceDistances = sources
        bestDistances = sources
        best = images.copy()
        super.init(
            method: attack.name, classifier: classifier, clean: images, labels: labels,
            targets: [Int](repeating: attack.guideLabel, count: labels.count), iterationCount: attack.steps)
        if attack.randomStart {
            // Each image's start from the seed and its own pixels: the batch it is in does not move it.
            adversarial = Projection.randomStart(around: clean, norm: .linf, epsilon: epsilon, seed: attack.seed)
        }
        publishDistances()
    }

    override var output: Tensor { best }

    override func performStep() throws {
        let batch = adversarial.shape[0]
        gradientEvaluations += ExpectationOverTransformation.evaluations(batch)
        let (gradient, distances) = classifier.withFrozenParameters {
            let input = adversarial.detached()
            input.requiresGrad = true
            let features = classifier.activations(input, at: layer).reshaped([batch, -1])
            let squared = (features - guideFeatures).squared().sum(axis: 1)
            squared.sum().backward()
            let values = (0..<batch).map { squared.data[$0].squareRoot() }
            return (input.grad ?? Tensor(zeros: input.shape), values)
        }
        keepCloser(adversarial, distances: distances)
        adversarial = Projection.signStep(
            adversarial, gradient: gradient, clean: clean, step: -stepSize, epsilon: epsilon)
        if iteration + 1 == iterationCount {
            // The last step's iterate is a candidate too.
            let last = noGrad {
                FeatureAdversariesRun.distances(
                    classifier.activations(adversarial, at: layer).reshaped([batch, -1]), to: guideFeatures)
            }
            keepCloser(adversarial, distances: last)
        }
        loss = Double(distances.reduce(0) { $0 + $1 * $1 }) / Double(batch)
        publishDistances()
    }

    /// Copies the rows of `images` whose distance beats the best so far into `best`.
    private func keepCloser(_ images: Tensor, distances: [Float]) {
        let take = distances.indices.map { distances[$0] < bestDistances[$0] }
        Projection.copyRows(from: images, into: best, where: take)
        for index in take.indices where take[index] { bestDistances[index] = distances[index] }
    }

    private func publishDistances() {
        let relative = bestDistances.indices.map { index in
            sourceDistances[index] > 0 ? Double(bestDistances[index] / sourceDistances[index]) : 0
        }
        let count = Double(max(relative.count, 1))
        perImageExtras["relative_feature_distance"] = relative
        metrics["relative_feature_distance"] = relative.reduce(0, +) / count
        metrics["feature_distance_before"] = sourceDistances.reduce(0) { $0 + Double($1) } / count
        metrics["feature_distance_after"] = bestDistances.reduce(0) { $0 + Double($1) } / count
    }

    /// Per row, the Euclidean distance between `features` `[batch, F]` and `guide` `[1, F]`.
    static func distances(_ features: Tensor, to guide: Tensor) -> [Float] {
        let (batch, width) = (features.shape[0], features.shape[1])
        let f = features.data
        let g = guide.data
        return (0..<batch).map { row in
            var sum: Float = 0
            for j in 0..<width {
                let d = f[row * width + j] - g[j]
                sum += d * d
            }
            return sum.squareRoot()
        }
    }
}
