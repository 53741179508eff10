import Models
import NeuralNet
import TensorCore

/// One attack in progress, as a step machine: each `step()` does one iteration (one gradient step, one
/// generation of differential evolution, one grid row...). Between steps a screen may read the current
/// state: `adversarial` (the current iterate x_adv), `success` and `norms` per image, `loss`,
/// `iteration` of `iterationCount`, and the model accesses spent (`gradientEvaluations`, `queries`).
///
/// Attacks are subclasses inside this module that override `performStep()`; the base class keeps the
/// bookkeeping and the per-image results.
public class AttackRun {
    /// The method's command-line name.
    public let method: String
    /// The clean images `[batch, pixels]`.
    public let clean: Tensor
    /// True labels, one per image.
    public let labels: [Int]
    /// Per-image target classes, or nil for an untargeted attack.
    public let targets: [Int]?
    /// Clean predictions, one per image.
    public let cleanPredictions: [Int]
    /// The current iterate x_adv `[batch, pixels]`, pixels in [0, 1].
    public internal(set) var adversarial: Tensor
    /// Iterations done and planned.
    public internal(set) var iteration = 0
    public internal(set) var iterationCount: Int
    /// The attack's objective at the last step, averaged over the batch (NaN before the first step).
    public internal(set) var loss = Double.nan
    /// Gradients of the model taken (one per image per backward pass).
    public internal(set) var gradientEvaluations = 0
    /// Model outputs queried (one per image per forward pass), for black-box attacks.
    public internal(set) var queries = 0
    /// Attack-specific per-image numbers (e.g. "c" for Carlini-Wagner, "queries" for black-box attacks).
    public internal(set) var perImageExtras: [String: [Double]] = [:]
    /// Attack-specific per-image words (e.g. "broken_by" for AutoAttack: the component that broke the image).
    public internal(set) var perImageLabels: [String: [String]] = [:]
    /// Attack-specific scalars shown beside the loss (e.g. the fooling rate of a universal perturbation).
    public internal(set) var metrics: [String: Double] = [:]
    /// Set when every image has succeeded or the attack converged before `iterationCount`.
    var stoppedEarly = false
    private var cachedPredictions: (iteration: Int, values: [Int])?

    /// - Parameter start: the first iterate when the run never writes into `adversarial` in place (it
    ///   replaces the tensor each step), shared instead of copied; nil gives a copy of `clean`.
    init(
        method: String, clean: Tensor, labels: [Int], targets: [Int]?, cleanPredictions: [Int], iterationCount: Int,
        start: Tensor? = nil
    ) {
        self.method = method
        self.clean = clean
        self.labels = labels
        self.targets = targets
        self.cleanPredictions = cleanPredictions
        self.iterationCount = iterationCount
        adversarial = start ?? clean.copy()
    }

    /// True once the last iteration is done.
    public var isFinished: Bool { stoppedEarly || iteration >= iterationCount }

    /// `iteration/iterationCount`, with ", stopped early" once the run ended before its last iteration
    /// (every image broken, or the attack converged): a finished AutoAttack read "1000/6899" as if cut short.
    public var progressText: String {
        let text = "\(iteration)/\(iterationCount)"
        return isFinished && iteration < iterationCount ? text + ", stopped early" : text
    }

    /// Does one iteration.
    public func step() throws {
        precondition(!isFinished, "step() after the attack finished")
        try performStep()
        iteration += 1
        cachedPredictions = nil
    }

    /// The attack's iteration; overridden by each attack.
    func performStep() throws {
        fatalError("\(type(of: self)) must override performStep()")
    }

    /// The one perturbation applied to every image, `[pixels]`, for universal attacks (nil otherwise).
    public var universalPerturbation: [Float]? { nil }

    /// The images the attack returns if stopped now (the best found so far; the iterate by default).
    public var output: Tensor { adversarial }

    /// The model's predictions for `output` (cached until the next step).
    public var predictions: [Int] {
        if let cachedPredictions, cachedPredictions.iteration == iteration { return cachedPredictions.values }
        let values = predict(output)
        cachedPredictions = (iteration, values)
        return values
    }

    /// Predictions of the model under attack for a batch; black-box runs answer from their own queries.
    func predict(_ images: Tensor) -> [Int] {
        fatalError("\(type(of: self)) must override predict(_:)")
    }

    /// Per image: whether `output` fools the model (a wrong class, or the target when targeted).
    public var success: [Bool] {
        let predicted = predictions
        return predicted.indices.map { isSuccess(prediction: predicted[$0], image: $0) }
    }

    func isSuccess(prediction: Int, image: Int) -> Bool {
        if let targets { return prediction == targets[image] }
        return prediction != labels[image]
    }

    /// Per-image norms of `output - clean`.
    public var norms: [PerturbationNorms] { PerturbationNorms.of(output, from: clean) }

    /// The results for `output`.
    public func result() -> AttackResult {
        let predicted = predictions
        let norms = self.norms
        let outcomes = labels.indices.map { index in
            ImageOutcome(
                label: labels[index], target: targets?[index], cleanPrediction: cleanPredictions[index],
                adversarialPrediction: predicted[index], success: isSuccess(prediction: predicted[index], image: index),
                norms: norms[index])
        }
        return AttackResult(
            method: method, adversarial: output, outcomes: outcomes, gradientEvaluations: gradientEvaluations,
            queries: queries, perImageExtras: perImageExtras, metrics: metrics,
            universalPerturbation: universalPerturbation, perImageLabels: perImageLabels)
    }
}

/// An `AttackRun` with white-box access: the classifier's logits and input gradients.
///
/// When the classifier is a stack of Linear and ReLU layers (the MLP), logits and gradients come from its
/// `FrozenNetwork` (input gradient only, buffers kept across steps, bitwise the autograd result); any other
/// network (or any run created under `GradientImplementation.forceAutograd`) goes through autograd with
/// its parameters frozen (`InputGradient`).
class GradientAttackRun: AttackRun {
    let classifier: Classifier
    /// The autograd-free path for MLPs (nil for other networks).
    let frozen: FrozenNetwork?
    /// The loss gradient at the clean images, taken with the clean predictions when the first step starts
    /// there (one forward pass instead of two); handed out once by `crossEntropyGradient(at: clean)`.
    private var cleanGradient: (gradient: Tensor, loss: Double, logits: Tensor)?

    /// - Parameter gradientAtClean: true when the first step takes the gradient at `clean` itself (no random
    ///   start): the clean forward pass then also records the graph for that gradient.
    init(
        method: String, classifier: Classifier, clean: Tensor, labels: [Int], targets: [Int]?, iterationCount: Int,
        gradientAtClean: Bool = false, start: Tensor? = nil
    ) {
        self.classifier = classifier
        // A network the fast path does not take (a CNN) runs through autograd: the error only says which layer.
        let frozen = GradientImplementation.forceAutograd ? nil : try? FrozenNetwork(classifier.network)
        self.frozen = frozen
        let predicted: [Int]
        var gradient: (gradient: Tensor, loss: Double, logits: Tensor)?
        if gradientAtClean {
            let value = GradientAttackRun.lossGradient(
                classifier, frozen: frozen, at: clean, labels: targets ?? labels, targeted: targets != nil)
            predicted = value.logits.argmax()
            gradient = value
        } else {
            predicted = frozen?.predictions(clean) ?? noGrad { classifier(clean).argmax() }
        }
        super.init(
            method: method, clean: clean, labels: labels, targets: targets, cleanPredictions: predicted,
            iterationCount: iterationCount, start: start)
        cleanGradient = gradient
    }

    override func predict(_ images: Tensor) -> [Int] {
        frozen?.predictions(images) ?? noGrad { classifier(images).argmax() }
    }

    /// The labels whose cross-entropy the attack ascends (untargeted) or descends (targeted), and the sign.
    var lossLabels: (labels: [Int], direction: Float) {
        if let targets { return (targets, -1) }
        return (labels, 1)
    }

    /// d/dx of `direction * sum_i CE(Z(x_i), labels_i)` (the ascent direction of the attack), with the
    /// mean cross-entropy to `labels` (or to the targets) and the logits at `x`.
    func crossEntropyGradient(at x: Tensor) -> (gradient: Tensor, loss: Double, logits: Tensor) {
        gradientEvaluations += ExpectationOverTransformation.evaluations(x.shape[0])
        if let cached = cleanGradient, x === clean {
            cleanGradient = nil
            return cached
        }
        cleanGradient = nil
        return GradientAttackRun.lossGradient(
            classifier, frozen: frozen, at: x, labels: lossLabels.labels, targeted: targets != nil)
    }

    /// d/dx of `direction * sum_i CE(Z(x_i), labels_i)` with direction -1 when targeted, the mean
    /// cross-entropy and the logits; through `frozen` when given, else autograd.
    static func lossGradient(
        _ classifier: Classifier, frozen: FrozenNetwork?, at x: Tensor, labels: [Int], targeted: Bool
    ) -> (gradient: Tensor, loss: Double, logits: Tensor) {
        let direction: Float = targeted ? -1 : 1
        if let frozen { return frozen.crossEntropyInputGradient(at: x, labels: labels, scale: direction) }
        let batch = x.shape[0]
        let result = InputGradient.compute(classifier, at: x) { logits in
            Loss.crossEntropy(logits: logits, labels: labels).scaled(by: direction * Float(batch))
        }
        return (result.gradient, Double(result.value / direction) / Double(batch), result.logits)
    }
}
