import Models
import TensorCore

/// An untargeted attack made of targeted runs (Croce & Hein 2020, APGD-T and FAB-T of AutoAttack): for
/// rank r = 1 ... k, a targeted run aimed at each image's (r+1)-th most likely clean class, only on the
/// images no earlier rank misclassified. Success is misclassification, as in AutoAttack; aiming at one
/// class at a time gives the step a direction that the untargeted loss can lack (a flat or masked
/// cross-entropy).
///
/// The inner runs are untargeted `AttackRun`s whose loss aims at the class handed to `makeInner`. The
/// output of an image is the inner run's output of the first rank that fooled it, else the clean image.
final class TargetSweepRun: GradientAttackRun {
    /// Per image, the classes aimed at, in order: the clean logits' ranking without the true label.
    let aims: [[Int]]
    let stepsPerTarget: Int
    /// Builds the run for one rank: clean images `[n, pixels]`, their labels, and one aimed class each.
    let makeInner: (_ images: Tensor, _ labels: [Int], _ aims: [Int]) throws -> AttackRun
    private var rank = 0
    private var inner: (run: AttackRun, images: [Int])?
    private var fooled: [Bool]
    private var spent = (gradients: 0, queries: 0)

    /// - Parameters:
    ///   - targetCount: k, at most the class count - 1.
    ///   - stepsPerTarget: the iterations of each inner run (the sweep plans `k * stepsPerTarget`).
    ///   - recordsMinimalNorm: the inner runs report `min_norm` (FAB): the sweep reports it for every image.
    init(
        method: String, classifier: Classifier, images: Tensor, labels: [Int], targetCount: Int, stepsPerTarget: Int,
        recordsMinimalNorm: Bool = false,
        makeInner: @escaping (_ images: Tensor, _ labels: [Int], _ aims: [Int]) throws -> AttackRun
    ) {
        let logits = noGrad { classifier(images) }
        let ranking = logits.topK(classifier.classCount).map(\.indices)
        aims = labels.indices.map { i in Array(ranking[i].filter { $0 != labels[i] }.prefix(targetCount)) }
        self.stepsPerTarget = stepsPerTarget
        self.makeInner = makeInner
        fooled = []
        super.init(
            method: method, classifier: classifier, clean: images, labels: labels, targets: nil,
            iterationCount: targetCount * stepsPerTarget)
        // Images the model already gets wrong need no attack.
        fooled = labels.indices.map { cleanPredictions[$0] != labels[$0] }
        if recordsMinimalNorm { perImageExtras["min_norm"] = fooled.map { $0 ? 0 : .nan } }
    }

    override func performStep() throws {
        if inner == nil {
            let active = labels.indices.filter { !fooled[$0] }
            guard rank < aims[0].count, !active.isEmpty else {
                stoppedEarly = true
                return
            }
            let run = try makeInner(
                clean.selectingRows(active), active.map { labels[$0] }, active.map { aims[$0][rank] })
            inner = (run, active)
        }
        guard let (run, images) = inner else { return }
        try run.step()
        gradientEvaluations = spent.gradients + run.gradientEvaluations
        queries = spent.queries + run.queries
        loss = run.loss
        // The base class adds one after this step.
        iteration = rank * stepsPerTarget + run.iteration - 1
        guard run.isFinished else { return }
        let pixels = clean.shape[1]
        let output = run.output
        for (slot, success) in run.success.enumerated() where success {
            let image = images[slot]
            fooled[image] = true
            (adversarial.data + image * pixels).update(from: output.data + slot * pixels, count: pixels)
        }
        mergeMinimalNorms(of: run, images: images)
        spent = (gradientEvaluations, queries)
        inner = nil
        rank += 1
        iteration = rank * stepsPerTarget - 1
        if rank >= aims[0].count || fooled.allSatisfy({ $0 }) { stoppedEarly = true }
    }

    /// Keeps, per image, the smallest of the inner runs' `min_norm` (FAB's smallest adversarial norm
    /// found, inside the ball or not), so FAB-T reports it as FAB does: 0 for an image the model already
    /// gets wrong, NaN where no rank found any adversarial point.
    private func mergeMinimalNorms(of run: AttackRun, images: [Int]) {
        guard var merged = perImageExtras["min_norm"], let found = run.perImageExtras["min_norm"] else { return }
        for (slot, value) in found.enumerated() where value.isFinite {
            let image = images[slot]
            merged[image] = merged[image].isNaN ? value : min(merged[image], value)
        }
        perImageExtras["min_norm"] = merged
    }
}
