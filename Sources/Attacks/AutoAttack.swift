import Foundation
import Models
import TensorCore

/// AutoAttack (Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks"): a fixed ensemble of parameter-free attacks whose per-image worst case is the
/// robust accuracy the field reports.
///
/// The components run in order, each only on the images every earlier one left correctly classified
/// (images the model gets wrong clean are broken by `clean`); an image counts as broken by the first
/// component that misclassifies it within the ball, and keeps that component's adversarial image:
/// - `standard`: APGD-CE, APGD-T (DLR, k targets), FAB-T (k targets), Square (5000 queries; the L-inf or
///   the L2 Square Attack, as the threat's norm), `steps` iterations each, for L-inf and L2 alike, as in
///   Croce & Hein's code;
/// - `rand` (for randomised defences): APGD-CE and APGD-DLR, each gradient the mean of `eotSamples` draws.
/// The run's `perImageLabels["broken_by"]` names the component that broke each image ("" for the robust
/// ones); `componentAccuracies` turns it into the robust accuracy after each component.
///
/// - `version`: default `.standard`. `steps`: iterations per component (default 100). `targetCount`: k
///   (default 9). `squareQueries`: default 5000. `eotSamples`: default 20. `seed`: default 0.
/// Threat model: `.linf` (eps in (0, 1]) or `.l2`, untargeted. Input `[batch, pixels]`; the model needs 4
/// classes (3 for `rand`).
public struct AutoAttack: Attack {
    public enum Version: String, Sendable, CaseIterable {
        case standard
        case rand
    }

    public var version: Version
    public var steps: Int
    public var targetCount: Int
    public var squareQueries: Int
    public var eotSamples: Int
    public var seed: UInt64

    public var name: String { "autoattack" }
    public var citation: String {
        "Croce & Hein 2020, Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks"
    }

    /// The label of images the model misclassifies before any attack.
    public static let cleanLabel = "clean"

    public init(
        version: Version = .standard, steps: Int = 100, targetCount: Int = 9, squareQueries: Int = 5000,
        eotSamples: Int = 20, seed: UInt64 = 0
    ) {
        self.version = version
        self.steps = steps
        self.targetCount = targetCount
        self.squareQueries = squareQueries
        self.eotSamples = eotSamples
        self.seed = seed
    }

    /// The components in the order they run, by name, for a norm.
    public func components(norm: PerturbationNorm) -> [(name: String, attack: any Attack)] {
        switch version {
        case .standard:
            return [
                ("apgd-ce", APGD(steps: steps, seed: seed)),
                ("apgd-t", APGDTargeted(steps: steps, targetCount: targetCount, seed: seed)),
                ("fab-t", FAB(steps: steps, targetCount: targetCount)),
                ("square", SquareAttack(queries: squareQueries, seed: seed)),
            ]
        case .rand:
            return [
                ("apgd-ce", APGD(steps: steps, seed: seed, eotSamples: eotSamples)),
                ("apgd-dlr", APGD(steps: steps, seed: seed, loss: .dlr, eotSamples: eotSamples)),
            ]
        }
    }

    /// The robust accuracy after each component: the fraction of images not broken by `clean` or by that
    /// component or an earlier one.
    /// - Parameters: brokenBy: one label per image (`perImageLabels["broken_by"]`); components: their order.
    public static func componentAccuracies(brokenBy: [String], components: [String]) -> [(
        name: String, robustAccuracy: Double, broken: Int
    )] {
        let total = Double(max(brokenBy.count, 1))
        var remaining = brokenBy.filter { $0 != cleanLabel }.count
        return components.map { component in
            let broken = brokenBy.filter { $0 == component }.count
            remaining -= broken
            return (component, Double(remaining) / total, broken)
        }
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm != .l0 else { throw AttackError("AutoAttack bounds L-inf or L2 perturbations, not L0") }
        guard threat.goal == .untargeted else { throw AttackError("AutoAttack is untargeted; drop the target") }
        guard steps >= 1, targetCount >= 1, squareQueries >= 3, eotSamples >= 1 else {
            throw AttackError("AutoAttack needs steps, targets and EOT samples >= 1 and 3 Square queries")
        }
        let needed = version == .standard ? DLRLoss.minimumTargetedClasses : DLRLoss.minimumClasses
        guard classifier.classCount >= needed else {
            throw AttackError(
                "AutoAttack's DLR loss needs at least \(needed) classes; the model has \(classifier.classCount)")
        }
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        let list = components(norm: threat.norm)
        let targets = min(targetCount, classifier.classCount - 1)
        let planned = list.map { component in
            switch component.name {
            case "apgd-t", "fab-t": steps * targets
            case "square": squareQueries - 1
            default: steps
            }
        }
        return AutoAttackRun(
            components: list, classifier: classifier, images: images.detached(), labels: labels, threat: threat,
            plannedSteps: planned)
    }
}

/// AutoAttack's step machine: each step is one step of the current component's run, on the images still
/// robust; when a component finishes, the images it broke take its output.
final class AutoAttackRun: GradientAttackRun {
    let components: [(name: String, attack: any Attack)]
    let threat: ThreatModel
    /// Iterations planned before each component (the progress offsets) and in all.
    private let offsets: [Int]
    private var index = 0
    private var inner: (run: AttackRun, images: [Int])?
    private var brokenBy: [String]
    private var spent = (gradients: 0, queries: 0)

    init(
        components: [(name: String, attack: any Attack)], classifier: Classifier, images: Tensor, labels: [Int],
        threat: ThreatModel, plannedSteps: [Int]
    ) {
        self.components = components
        self.threat = threat
        var offsets = [0]
        for planned in plannedSteps { offsets.append(offsets[offsets.count - 1] + planned) }
        self.offsets = offsets
        brokenBy = []
        super.init(
            method: threat.norm == .l2 ? "autoattack-l2" : "autoattack", classifier: classifier, clean: images,
            labels: labels, targets: nil, iterationCount: offsets[offsets.count - 1])
        brokenBy = labels.indices.map { cleanPredictions[$0] != labels[$0] ? AutoAttack.cleanLabel : "" }
        perImageLabels["broken_by"] = brokenBy
    }

    /// The component running now (nil once all are done).
    var currentComponent: String? { index < components.count ? components[index].name : nil }

    override func performStep() throws {
        while inner == nil {
            let robust = labels.indices.filter { brokenBy[$0].isEmpty }
            guard index < components.count, !robust.isEmpty else {
                stoppedEarly = true
                return
            }
            do {
                let run = try components[index].attack.makeRun(
                    classifier: classifier, images: clean.selectingRows(robust), labels: robust.map { labels[$0] },
                    threat: threat)
                inner = (run, robust)
            } catch let error as AttackError {
                throw AttackError("\(components[index].name): \(error.description)")
            }
        }
        guard let (run, images) = inner else { return }
        if !run.isFinished { try run.step() }
        gradientEvaluations = spent.gradients + run.gradientEvaluations
        queries = spent.queries + run.queries
        loss = run.loss
        // The base class adds one after this step.
        iteration = min(offsets[index] + run.iteration, offsets[index + 1]) - 1
        guard run.isFinished else { return }
        absorb(run, images: images)
        spent = (gradientEvaluations, queries)
        inner = nil
        index += 1
        iteration = offsets[index] - 1
        if index >= components.count || !brokenBy.contains("") { stoppedEarly = true }
    }

    /// Takes the images `run` misclassified within the ball as broken by the current component.
    private func absorb(_ run: AttackRun, images: [Int]) {
        let output = run.output
        let predicted = run.predictions
        let norms = PerturbationNorms.of(output, from: run.clean)
        let pixels = clean.shape[1]
        // float32 round-off of a projected pixel stays far below this.
        let tolerance = threat.epsilon * 1e-5 + 1e-6
        for (slot, image) in images.enumerated() where predicted[slot] != labels[image] {
            let size = threat.norm == .l2 ? norms[slot].l2 : norms[slot].linf
            guard size <= threat.epsilon + tolerance else { continue }
            brokenBy[image] = components[index].name
            (adversarial.data + image * pixels).update(from: output.data + slot * pixels, count: pixels)
        }
        perImageLabels["broken_by"] = brokenBy
    }
}

extension AutoAttackRun: ComponentwiseRun {
    var componentNames: [String] { components.map(\.name) }

    var runningComponent: (index: Int, done: Int, total: Int)? {
        guard !isFinished, index < components.count else { return nil }
        guard let run = inner?.run else { return (index, 0, offsets[index + 1] - offsets[index]) }
        return (index, min(run.iteration, run.iterationCount), run.iterationCount)
    }
}
