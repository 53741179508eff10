import Models
import TensorCore

/// A gray-box transfer attack (MATH.md section 10; Papernot, McDaniel & Goodfellow 2016,
/// "Transferability in Machine Learning"): the adversary knows the architecture but not the weights, so it
/// crafts adversarial images with a white-box `attack` on a surrogate trained separately, then submits
/// them to the target model.
///
/// `makeRun(classifier:...)` takes the *surrogate*; the run's predictions, success and result are those of
/// `target`, and `metrics` holds the surrogate's own numbers ("surrogate_success_rate",
/// "surrogate_adversarial_accuracy", "surrogate_clean_accuracy") so both models are reported. The inner
/// attack's own metrics are kept with the same prefix (uap's "fooling_rate" on the surrogate becomes
/// "surrogate_fooling_rate"); a universal attack's `v` is the run's `universalPerturbation` as well, and its
/// fooling rate on the target, the share of images whose target prediction `clip(x + v)` changes, is
/// "transfer_fooling_rate" (what `UniversalPerturbation` with the target as `transferModel` measures).
/// - `attack`: the white-box attack run on the surrogate (e.g. `PGD()`).
/// - `target`: the model under attack; must take the same image size and classes as the surrogate.
/// Threat model: whatever `attack` accepts. Input `[batch, pixels]`.
public struct Transfer: Attack {
    public var attack: any Attack
    public var target: Classifier

    public var name: String { "transfer" }
    public var citation: String {
        "Papernot, McDaniel & Goodfellow 2016, Transferability in Machine Learning (crafted with \(attack.name))"
    }

    public init(attack: any Attack, target: Classifier) {
        self.attack = attack
        self.target = target
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard
            target.imageHeight == classifier.imageHeight, target.imageWidth == classifier.imageWidth,
            target.classCount == classifier.classCount
        else {
            throw AttackError(
                "the target model (\(target.imageHeight)x\(target.imageWidth), \(target.classCount) classes) does not match the surrogate (\(classifier.imageHeight)x\(classifier.imageWidth), \(classifier.classCount) classes)"
            )
        }
        let inner = try attack.makeRun(classifier: classifier, images: images, labels: labels, threat: threat)
        return TransferRun(inner: inner, target: target)
    }
}

/// Steps the surrogate's attack; judges its output on the target model.
final class TransferRun: AttackRun {
    let inner: AttackRun
    let target: Classifier

    init(inner: AttackRun, target: Classifier) {
        self.inner = inner
        self.target = target
        let predicted = noGrad { target(inner.clean).argmax() }
        super.init(
            method: "transfer", clean: inner.clean, labels: inner.labels, targets: inner.targets,
            cleanPredictions: predicted, iterationCount: inner.iterationCount)
    }

    override var output: Tensor { inner.output }

    override var universalPerturbation: [Float]? { inner.universalPerturbation }

    override func performStep() throws {
        try inner.step()
        adversarial = inner.adversarial
        loss = inner.loss
        gradientEvaluations = inner.gradientEvaluations
        perImageExtras = inner.perImageExtras
        // The inner attack's figures are the surrogate's: prefixed, where they had replaced nothing and been
        // dropped (uap's fooling rate).
        metrics = Dictionary(uniqueKeysWithValues: inner.metrics.map { ("surrogate_" + $0.key, $0.value) })
        guard inner.isFinished else { return }
        stoppedEarly = true
        let surrogate = inner.result()
        metrics["surrogate_success_rate"] = surrogate.successRate
        metrics["surrogate_adversarial_accuracy"] = surrogate.adversarialAccuracy
        metrics["surrogate_clean_accuracy"] = surrogate.cleanAccuracy
        if universalPerturbation != nil {
            let after = predict(output)
            metrics["transfer_fooling_rate"] =
                Double(zip(after, cleanPredictions).filter { $0 != $1 }.count) / Double(labels.count)
        }
    }

    override func predict(_ images: Tensor) -> [Int] {
        noGrad { target(images).argmax() }
    }
}
