import Attacks
import Foundation
import Models
import TensorCore

/// The workbench's Attack lab as an experiment: an `AttackRun` over a batch of test images of a classifier,
/// stepped one attack iteration at a time, with one selected image shown before and after.
///
/// The attack is built by `AttackFactory` exactly as `manifold attack METHOD` builds it (method names as on
/// the command line; `transfer` needs a second model and is not available here; uap builds its `v` on the
/// `trainImages` given, as `attack uap` builds it on its `--train-n` training images). The classifier is evaluated
/// in whatever mode the caller set (set `setTraining(false)` first). Like every experiment it is not
/// thread-safe: call `step()`, `describe`, `setEpsilon` and `computeRobustnessCurve` from the runner's queue
/// (e.g. through `.adjust`).
public final class AttackExperiment: VisualExperiment {
    public let classifier: Classifier
    public let method: String
    /// The attacked images `[count, imageHeight * imageWidth]`, pixels in [0, 1], and their labels.
    public let images: Tensor
    public let labels: [Int]
    public let imageWidth: Int
    public let imageHeight: Int
    public let classNames: [String]
    /// Iterations of iterative methods; nil: each method's own default, as on the command line (CW 100
    /// Adam steps per c, APGD 100, DeepFool 50, PGD 20...).
    public let steps: Int?
    public let alpha: Float?
    /// uap: the training images `v` is built on, `[m, imageHeight * imageWidth]` (nil for the other methods,
    /// and for uap the attacked batch itself).
    public let trainImages: Tensor?
    /// The threat model of the current run (its epsilon changes with `setEpsilon`).
    public private(set) var threat: ThreatModel
    /// The attack in progress.
    public private(set) var run: AttackRun
    /// The image shown by `describe`, an index into the batch (clamped into range).
    public var selectedImage: Int {
        didSet { selectedImage = min(max(selectedImage, 0), labels.count - 1) }
    }
    /// Robust accuracy against eps with FGSM and PGD, once `computeRobustnessCurve` ran.
    /// In the lab's norm (`computeRobustnessCurve`); `fgsm` holds the one-step attack's accuracies.
    public private(set) var robustnessCurve: (epsilons: [Double], fgsm: [Double], pgd: [Double])?
    /// The gradient-masking sanity checks of the finished attack, run once when it finishes (on the first
    /// `AttackSanityCheck.defaultCount` images) and again after `setEpsilon`.
    public private(set) var sanityFlags: [SanityFlag]?
    /// LPA and PPGD (Laidlaw et al. 2021): the bound on the perceptual distance (`setPerceptualBound`);
    /// nil for the other methods.
    public private(set) var perceptualBound: Float?
    private var attack: any Attack
    /// LPA and PPGD: the distance their bound is on, measured after every step (`perceptual_distance`).
    private let perceptual: PerceptualDistance?

    /// - Parameters:
    ///   - images: `count * imageHeight * imageWidth` pixels in [0, 1], row-major; `labels`: `count` classes.
    ///   - method: a name from `AttackFactory.methods` (not `transfer`).
    ///   - threat: norm, radius and goal; `steps`: iterations of iterative methods; `alpha`: step size (nil:
    ///     the method's default for either).
    ///   - trainImages: uap's training images, `m * imageHeight * imageWidth` pixels in [0, 1]: give the ones
    ///     `attack uap` takes (the first `UniversalPerturbation.defaultTrainCount` of the run's training split)
    ///     for the figures `attack uap` prints; nil builds `v` on the attacked images themselves, which then
    ///     are no held-out set. Ignored by the other methods.
    /// - Throws: `AttackError` for an unknown method or inputs the attack rejects.
    public init(
        classifier: Classifier, images: [Float], labels: [Int], imageWidth: Int, imageHeight: Int,
        classNames: [String], method: String, threat: ThreatModel, steps: Int?, alpha: Float?,
        trainImages: [Float]? = nil
    ) throws {
        let pixels = imageWidth * imageHeight
        guard !labels.isEmpty, images.count == labels.count * pixels else {
            throw AttackError("\(images.count) pixels for \(labels.count) images of \(imageWidth)x\(imageHeight)")
        }
        if let trainImages, trainImages.count % pixels != 0 {
            throw AttackError(
                "\(trainImages.count) training pixels are no whole number of \(imageWidth)x\(imageHeight) images")
        }
        if let steps, steps < 1 { throw AttackError("steps must be at least 1, got \(steps)") }
        self.classifier = classifier
        self.method = method
        self.images = Tensor(shape: [labels.count, pixels], scalars: images)
        self.labels = labels
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.classNames = classNames
        self.steps = steps
        self.alpha = alpha
        // Only uap learns from training images; the other methods' labs hold none.
        self.trainImages =
            method == "uap"
            ? trainImages.map { Tensor(shape: [$0.count / pixels, pixels], scalars: $0) } : nil
        // As on the command line: pgd-l2 is PGD in L2.
        var threat = threat
        if method == "pgd-l2" { threat.norm = .l2 }
        self.threat = threat
        selectedImage = 0
        let settings = Self.settings(steps: steps, alpha: alpha, trainImages: self.trainImages)
        if AttackFactory.perceptualMethods.contains(method) {
            perceptualBound = settings.perceptualBound
            perceptual = try PerceptualDistance(classifier: classifier)
        } else {
            perceptual = nil
        }
        attack = try AttackFactory.make(method, settings: settings)
        run = try attack.makeRun(classifier: classifier, images: self.images, labels: labels, threat: threat)
    }

    /// The factory settings of a lab's attack: its steps and alpha, and uap's training images.
    private static func settings(steps: Int?, alpha: Float?, trainImages: Tensor?) -> AttackFactory.Settings {
        var settings = AttackFactory.Settings(steps: steps, alpha: alpha)
        settings.trainImages = trainImages
        return settings
    }

    /// Advances the attack one iteration (one-step attacks finish in one step).
    public func step() throws -> StepReport {
        if !run.isFinished { try run.step() }
        if run.isFinished && sanityFlags == nil { try computeSanityFlags() }
        let success = run.success
        var metrics = [
            "success_rate": Double(success.filter { $0 }.count) / Double(success.count), "loss": run.loss,
        ]
        if let perceptual {
            // The batch means of what the attack would return now: the perceptual distance its bound is on,
            // and the L2 norm it is not bounded in.
            let output = run.output
            let count = Double(labels.count)
            metrics["perceptual_distance"] = perceptual(output, images).reduce(0) { $0 + Double($1) } / count
            metrics["l2"] = PerturbationNorms.of(output, from: images).reduce(0) { $0 + Double($1.l2) } / count
        }
        return StepReport(metrics: metrics)
    }

    /// LPA, PPGD: restarts the attack from the clean images with perceptual bound `bound`.
    /// - Throws: `AttackError` for a method without a perceptual bound or a bound the attack rejects;
    ///   the current run is then kept.
    public func setPerceptualBound(_ bound: Float) throws {
        guard perceptualBound != nil else { throw AttackError("\(method) has no perceptual bound") }
        var settings = Self.settings(steps: steps, alpha: alpha, trainImages: trainImages)
        settings.perceptualBound = bound
        let changed = try AttackFactory.make(method, settings: settings)
        run = try changed.makeRun(classifier: classifier, images: images, labels: labels, threat: threat)
        attack = changed
        perceptualBound = bound
        sanityFlags = nil
    }

    public var isFinished: Bool { run.isFinished }

    public var progress: (done: Int, total: Int) {
        (run.isFinished ? run.iterationCount : run.iteration, run.iterationCount)
    }

    /// Restarts the attack from the clean images with radius `eps` (same method, goal and norm).
    /// - Throws: `AttackError` when the attack rejects the radius or has none (CW, DeepFool, spatial,
    ///   one-pixel); the current run is then kept.
    public func setEpsilon(_ eps: Float) throws {
        guard !AttackFactory.radiusFreeMethods.contains(method) else {
            throw AttackError("\(method) has no eps-ball; + and - change nothing")
        }
        var changed = threat
        changed.epsilon = eps
        run = try attack.makeRun(classifier: classifier, images: images, labels: labels, threat: changed)
        threat = changed
        sanityFlags = nil
    }

    /// Robust accuracy (accuracy on adversarial images) against each radius, in the lab's norm, over the first
    /// 256 images of the batch at most: L-inf with FGSM and with PGD (20 steps of eps/10, random start, seed 0:
    /// `attack pgd`'s defaults, so `attack fgsm|pgd --eps E --n 256` prints each point); L2 (for pgd-l2, whose
    /// eps is an L2 radius) with the one-step fast gradient method and with PGD-L2 (20 steps of eps/4, as
    /// `attack pgd-l2`). An eps of 0 gives the clean accuracy; radii outside (0, 1] (L2: (0, sqrt(pixels)]) are skipped.
    /// Stored in `robustnessCurve`.
    public func computeRobustnessCurve(epsilons: [Float]) {
        let count = min(256, labels.count)
        let subset = images.rows(0..<count).copy()
        let subsetLabels = Array(labels.prefix(count))
        let cleanPredictions = noGrad { classifier(subset).argmax() }
        let cleanAccuracy = Double(zip(cleanPredictions, subsetLabels).filter { $0 == $1 }.count) / Double(count)
        let l2 = threat.norm == .l2
        let largest = l2 ? Float(images.shape[1]).squareRoot() : 1
        var curve: (epsilons: [Double], fgsm: [Double], pgd: [Double]) = ([], [], [])
        for eps in epsilons.sorted() where eps >= 0 && eps <= largest {
            curve.epsilons.append(Double(eps))
            guard eps > 0 else {
                curve.fgsm.append(cleanAccuracy)
                curve.pgd.append(cleanAccuracy)
                continue
            }
            let threat = ThreatModel(norm: l2 ? .l2 : .linf, epsilon: eps)
            // One step: FGSM in L-inf; in L2 one full step along the normalised gradient (FGM).
            let oneStep: any Attack = l2 ? PGD(steps: 1, stepSize: eps, randomStart: false) : FGSM()
            let fgsm = try? oneStep.attack(classifier, images: subset, labels: subsetLabels, threat: threat)
            let pgd = try? PGD(steps: 20).attack(
                classifier, images: subset, labels: subsetLabels, threat: threat)
            curve.fgsm.append(fgsm?.adversarialAccuracy ?? .nan)
            curve.pgd.append(pgd?.adversarialAccuracy ?? .nan)
        }
        robustnessCurve = curve
    }

    /// Runs the sanity checks on the finished attack's result (stored in `sanityFlags`).
    public func computeSanityFlags() throws {
        sanityFlags = try AttackSanityCheck.run(
            result: run.result(), attack: attack, method: method, model: classifier, images: images, labels: labels,
            threat: threat
        ).flags
    }

    private func className(_ index: Int) -> String {
        index >= 0 && index < classNames.count ? classNames[index] : String(index)
    }

    /// Fills the clean, adversarial and perturbation images of the selected image, its class probabilities
    /// before and after, the key figures, and the robustness curves when computed (`curves` `fgsm` and `pgd`:
    /// robust accuracy over eps, named by the attack alone so that a narrow legend tells them apart).
    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let pixels = imageWidth * imageHeight
        let index = selectedImage
        let cleanRow = Array(UnsafeBufferPointer(start: images.data + index * pixels, count: pixels))
        let output = run.output
        let adversarialRow = Array(UnsafeBufferPointer(start: output.data + index * pixels, count: pixels))
        let pair = Tensor(shape: [2, pixels], scalars: cleanRow + adversarialRow)
        let probabilities = noGrad { classifier(pair).softmax() }
        let classes = probabilities.shape[1]
        let before = (0..<classes).map { Double(probabilities.data[$0]) }
        let after = (0..<classes).map { Double(probabilities.data[classes + $0]) }
        let predictedBefore = before.indices.max { before[$0] < before[$1] } ?? 0
        let predictedAfter = after.indices.max { after[$0] < after[$1] } ?? 0
        let delta = zip(adversarialRow, cleanRow).map { $0 - $1 }
        let norms = PerturbationNorms.of(
            Tensor(shape: [1, pixels], scalars: adversarialRow), from: Tensor(shape: [1, pixels], scalars: cleanRow))[0]

        func caption(_ predicted: Int, _ confidence: Double) -> String {
            String(format: "%@ %.1f%%", className(predicted), confidence * 100)
        }
        snapshot.images["clean"] = [
            Snapshot.Image(
                width: imageWidth, height: imageHeight, values: cleanRow,
                caption: caption(predictedBefore, before[predictedBefore]))
        ]
        snapshot.images["adversarial"] = [
            Snapshot.Image(
                width: imageWidth, height: imageHeight, values: adversarialRow,
                caption: caption(predictedAfter, after[predictedAfter]))
        ]
        snapshot.images["perturbation"] = [
            Snapshot.Image(
                width: imageWidth, height: imageHeight, values: delta, caption: String(format: "L-inf %.3f", norms.linf)
            )
        ]
        snapshot.bars["clean"] = (0..<classes).map { Snapshot.Bar(label: className($0), value: before[$0]) }
        snapshot.bars["adversarial"] = (0..<classes).map { Snapshot.Bar(label: className($0), value: after[$0]) }

        let success = run.success
        let predictions = run.predictions
        let selectedSuccess = run.targets.map { predictedAfter == $0[index] } ?? (predictedAfter != labels[index])
        let usesQueries = AttackFactory.queryMethods.contains(method)
        snapshot.figures = [
            ("method", method),
            (
                "eps",
                AttackFactory.radiusFreeMethods.contains(method)
                    ? "none" : String(format: threat.norm == .l2 ? "%.4g (L2)" : "%.4g", threat.epsilon)
            ),
            ("iteration", run.progressText),
            ("image", "\(index) (true: \(className(labels[index])))"),
            ("prediction", "\(className(predictedBefore)) → \(className(predictedAfter))"),
            ("success", selectedSuccess ? "yes" : "no"),
            ("L-inf", String(format: "%.4f", norms.linf)), ("L2", String(format: "%.4f", norms.l2)),
            ("L0", "\(norms.l0)"),
            ("batch success rate", String(format: "%.4f", Double(success.filter { $0 }.count) / Double(success.count))),
            (
                "adversarial accuracy",
                String(
                    format: "%.4f", Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count))
            ),
            usesQueries ? ("queries", "\(run.queries)") : ("gradient evaluations", "\(run.gradientEvaluations)"),
        ]
        if let perceptual, let bound = perceptualBound {
            let distance = perceptual(
                Tensor(shape: [1, pixels], scalars: adversarialRow), Tensor(shape: [1, pixels], scalars: cleanRow))[0]
            snapshot.figures.insert(("perceptual bound", String(format: "%.4g", bound)), at: 2)
            snapshot.figures.append(("perceptual distance", String(format: "%.4f", distance)))
        }
        // CW: the c of this image's smallest-L2 success so far (a c too small is why CW "fails").
        if let c = run.perImageExtras["c"], c.indices.contains(index) {
            snapshot.figures.append(
                ("c (kept success)", c[index].isFinite ? String(format: "%g", c[index]) : "none yet"))
        }
        // AutoAttack: its components so far, and which one broke the shown image.
        snapshot.autoAttack = autoAttackProgress
        if let fate = snapshot.autoAttack?.fate(image: index) {
            let success = snapshot.figures.firstIndex { $0.name == "success" } ?? snapshot.figures.count - 1
            snapshot.figures.insert(("broken by", fate.figure), at: success + 1)
        }
        snapshot.checks = sanityFlags ?? []
        if let curve = robustnessCurve {
            let l2 = threat.norm == .l2
            snapshot.curves[l2 ? "fgm-l2" : "fgsm"] = (curve.epsilons, curve.fgsm)
            snapshot.curves[l2 ? "pgd-l2" : "pgd"] = (curve.epsilons, curve.pgd)
        }
    }
}
