import Attacks
import Foundation
import Models
import TensorCore

/// The workbench's robustness view as an experiment: the robust accuracy of a classifier over a ladder of
/// L-inf radii for several attacks and, per radius, their per-image worst case (an image counts as robust
/// only if every attack left it correctly classified, as AutoAttack counts); then the gradient-masking
/// sanity checks at the run's radius. For an adversarially trained run it also carries the run's clean /
/// FGSM / PGD accuracy per epoch and the epoch where catastrophic overfitting set in
/// (`CatastrophicOverfittingRule`, Wong, Rice & Kolter 2020).
///
/// Each step is one iteration of one attack at one radius, so a long evaluation shows its progress and
/// stops between any two iterations. Not thread-safe: call it from the runner's queue.
public final class RobustnessSweep: VisualExperiment {
    /// The attacks of the sweep, by name, with budgets a screen can afford (AutoAttack's components with
    /// fewer iterations and targets), for a classifier of `classCount` classes: APGD-T's targeted DLR loss
    /// needs 4 (`DLRLoss.minimumTargetedClasses`), so a classifier of 2 or 3 classes is swept without it.
    public static func standardAttacks(seed: UInt64 = 0, classCount: Int = 10) -> [(name: String, attack: any Attack)] {
        var attacks: [(name: String, attack: any Attack)] = [
            ("fgsm", FGSM()), ("pgd", PGD(steps: 20, seed: seed)), ("apgd-ce", APGD(steps: 50, seed: seed)),
        ]
        if classCount >= DLRLoss.minimumTargetedClasses {
            attacks.append(("apgd-t", APGDTargeted(steps: 50, targetCount: 3, seed: seed)))
        }
        attacks.append(("square", SquareAttack(queries: 1000, seed: seed)))
        return attacks
    }

    /// The radii the workbench sweeps.
    public static let standardEpsilons: [Float] = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3]

    public let classifier: Classifier
    public let images: Tensor
    public let labels: [Int]
    public let epsilons: [Float]
    public let attacks: [(name: String, attack: any Attack)]
    /// The radius of the sanity checks (the run's training eps, or 0.1).
    public let checkEpsilon: Float
    /// Accuracy of the clean images.
    public let cleanAccuracy: Double
    /// Robust accuracy by attack name, one entry per finished radius (in `epsilons` order).
    public private(set) var accuracies: [String: [Double]] = [:]
    /// The per-image worst case over the attacks, one entry per finished radius.
    public private(set) var worstCase: [Double] = []
    /// The sanity checks, once every radius is done.
    public private(set) var flags: [SanityFlag]?
    /// Per-epoch accuracies of the run (test accuracy, training-batch FGSM and PGD), when it recorded them.
    public let history: [String: [(epoch: Int, value: Double)]]
    /// The first epoch the catastrophic-overfitting rule fires at, from `history`.
    public let collapseEpoch: Int?

    private var cell = 0
    private var run: AttackRun?
    private var robust: [Bool]
    private let clean: [Bool]

    /// - Parameters:
    ///   - images: `[n, pixels]` in [0, 1] and their `labels`.
    ///   - metrics: the run's `metrics.csv` (per-epoch history), if any.
    /// - Throws: `AttackError` when there are no images, no attacks or a radius outside (0, 1].
    public init(
        classifier: Classifier, images: Tensor, labels: [Int], epsilons: [Float] = standardEpsilons,
        attacks: [(name: String, attack: any Attack)] = standardAttacks(), checkEpsilon: Float = 0.1,
        metrics: MetricsTable? = nil
    ) throws {
        guard !labels.isEmpty, images.shape.first == labels.count else {
            throw AttackError("the robustness sweep needs images with one label each")
        }
        guard !attacks.isEmpty, !epsilons.isEmpty, epsilons.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw AttackError("the robustness sweep needs attacks and radii in (0, 1]")
        }
        self.classifier = classifier
        self.images = images
        self.labels = labels
        self.epsilons = epsilons.sorted()
        self.attacks = attacks
        self.checkEpsilon = checkEpsilon
        let predictions = noGrad { classifier(images).argmax() }
        clean = zip(predictions, labels).map { $0 == $1 }
        robust = clean
        cleanAccuracy = Double(clean.filter { $0 }.count) / Double(labels.count)
        var history: [String: [(epoch: Int, value: Double)]] = [:]
        for name in ["test_accuracy", "train_fgsm_accuracy", "train_pgd_accuracy"] {
            let column = metrics?.column(name) ?? []
            if !column.isEmpty { history[name] = column }
        }
        self.history = history
        if let fgsm = history["train_fgsm_accuracy"], let pgd = history["train_pgd_accuracy"] {
            collapseEpoch = CatastrophicOverfittingRule().firstCollapse(fgsm: fgsm.map(\.value), pgd: pgd.map(\.value))
                .map { fgsm[$0 - 1].epoch }
        } else {
            collapseEpoch = nil
        }
    }

    private var cellCount: Int { epsilons.count * attacks.count }

    public var isFinished: Bool { flags != nil }

    /// Hundredths of a cell (an attack at a radius), whose iteration counts differ.
    public var progressCountsSteps: Bool { false }

    public var progress: (done: Int, total: Int) {
        let within = run.map { 100 * $0.iteration / max($0.iterationCount, 1) } ?? 0
        return (min(cell, cellCount) * 100 + within + (isFinished ? 100 : 0), (cellCount + 1) * 100)
    }

    /// One iteration of the current attack; after the last radius, the sanity checks.
    public func step() throws -> StepReport {
        guard !isFinished else { return StepReport(metrics: [:]) }
        guard cell < cellCount else {
            try runChecks()
            return StepReport(metrics: [:])
        }
        let (radius, attackIndex) = (cell / attacks.count, cell % attacks.count)
        let epsilon = epsilons[radius]
        if run == nil {
            run = try attacks[attackIndex].attack.makeRun(
                classifier: classifier, images: images, labels: labels, threat: ThreatModel(epsilon: epsilon))
        }
        guard let current = run else { return StepReport(metrics: [:]) }
        if !current.isFinished { try current.step() }
        if current.isFinished {
            let result = current.result()
            let correct = result.outcomes.map { $0.adversarialPrediction == $0.label }
            accuracies[attacks[attackIndex].name, default: []].append(result.adversarialAccuracy)
            for i in robust.indices where !correct[i] { robust[i] = false }
            if attackIndex == attacks.count - 1 {
                worstCase.append(Double(robust.filter { $0 }.count) / Double(labels.count))
                robust = clean
            }
            run = nil
            cell += 1
        }
        return StepReport(metrics: ["radius": Double(epsilon)])
    }

    /// The sanity checks at `checkEpsilon` on the first `AttackSanityCheck.defaultCount` images, with the
    /// sweep's own Square against its white-box attacks when the radius is on the ladder.
    private func runChecks() throws {
        let k = min(AttackSanityCheck.defaultCount, labels.count)
        var checks = GradientMaskingChecks()
        checks.squareQueries = 1000
        var evidence = GradientMaskingChecks.Evidence(accuracy: nil, blackBox: false)
        if let radius = epsilons.firstIndex(of: checkEpsilon) {
            let white = attacks.filter { !($0.attack is any BlackBoxAttack) }
            let black = attacks.filter { $0.attack is any BlackBoxAttack }
            let w = white.compactMap { accuracies[$0.name]?[radius] }.min()
            let b = black.compactMap { accuracies[$0.name]?[radius] }.min()
            if let w, let b {
                evidence.comparison = .init(
                    white: w, black: b, whiteName: white.map(\.name).joined(separator: ", "),
                    blackName: black.map(\.name).joined(separator: ", "), count: labels.count)
            }
        }
        flags = try checks.run(
            classifier: classifier, images: images.rows(0..<k).copy(), labels: Array(labels.prefix(k)),
            threat: ThreatModel(epsilon: checkEpsilon), evidence: evidence)
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let done = worstCase.count
        let x = [0] + epsilons.prefix(done).map(Double.init)
        for (name, values) in accuracies where values.count >= done && done > 0 {
            snapshot.curves[name] = (x, [cleanAccuracy] + values.prefix(done))
        }
        if done > 0 { snapshot.curves["worst case"] = (x, [cleanAccuracy] + worstCase) }
        for (name, column) in history {
            snapshot.epochSeries[name] = column.map(\.value)
        }
        snapshot.checks = flags ?? []
        let radius = epsilons.firstIndex(of: checkEpsilon)
        snapshot.figures = [
            ("images", "\(labels.count)"), ("clean accuracy", String(format: "%.4f", cleanAccuracy)),
            ("attacks", attacks.map(\.name).joined(separator: ", ")),
        ]
        // The list is cut in the 40-column figures panel: a sweep without APGD-T says so in a figure of its own.
        if !attacks.contains(where: { $0.name == "apgd-t" }) {
            snapshot.figures.append(("left out", "apgd-t (\(classifier.classCount) classes)"))
        }
        snapshot.figures += [
            (
                "now",
                cell < cellCount
                    ? String(
                        format: "%@ at eps %.3g", attacks[cell % attacks.count].name, epsilons[cell / attacks.count])
                    : isFinished ? "done" : "sanity checks"
            )
        ]
        if let radius, radius < done {
            snapshot.figures.append(
                (String(format: "worst, eps %.3g", checkEpsilon), String(format: "%.4f", worstCase[radius])))
        }
        // The rule reads the training batches' FGSM and PGD accuracies, which only adversarial training
        // records: a standard run's history is its test accuracy alone, with no collapse to speak of.
        if history["train_fgsm_accuracy"] != nil && history["train_pgd_accuracy"] != nil {
            snapshot.figures.append(("collapse", collapseEpoch.map { "epoch \($0)" } ?? "none"))
        }
    }
}
