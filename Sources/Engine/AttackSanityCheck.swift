import Attacks
import Base
import Foundation
import Models
import TensorCore

/// The gradient-masking sanity checks (`GradientMaskingChecks`) of one finished evaluation: what
/// `manifold attack` prints after its figures and the Attack lab shows. The checks run on the first
/// `count` attacked images and compare with what the evaluated attack found on them.
public enum AttackSanityCheck {
    /// Images the checks use when the caller does not say (`attack --sanity-n`).
    public static let defaultCount = 100

    /// Runs the checks for `result`, the outcome of `attack` (called `method`) on `images` / `labels`.
    /// - Parameters:
    ///   - model: the classifier the attack ran on (a transfer attack is checked on its target instead).
    ///   - threat: the evaluation's threat model (ignored for radius-free methods).
    ///   - count: how many of the first images to check (at most the result's).
    ///   - progress: each check's name before it runs.
    /// - Returns: one flag per check, and the seconds they took.
    public static func run(
        result: AttackResult, attack: any Attack, method: String, model: Classifier, images: Tensor, labels: [Int],
        threat: ThreatModel, count: Int = defaultCount, seed: UInt64 = 0, progress: ((String) -> Void)? = nil
    ) throws -> (flags: [SanityFlag], seconds: Double) {
        let start = Date()
        let k = min(count, result.count, labels.count)
        guard k > 0 else { return ([], 0) }
        let outcomes = result.outcomes.prefix(k)
        let subsetAccuracy = Double(outcomes.filter { $0.adversarialPrediction == $0.label }.count) / Double(k)
        let radiusFree = AttackFactory.radiusFreeMethods.contains(method)
        var evidence = GradientMaskingChecks.Evidence(
            accuracy: radiusFree ? nil : subsetAccuracy,
            blackBox: AttackFactory.queryMethods.contains(method) || attack is Transfer)
        if let autoAttack = attack as? AutoAttack {
            evidence.comparison = componentComparison(autoAttack, result: result, norm: threat.norm)
        }
        var checks = GradientMaskingChecks()
        checks.seed = seed
        let flags = try checks.run(
            classifier: (attack as? Transfer)?.target ?? model, images: images.rows(0..<k).copy(),
            labels: Array(labels.prefix(k)), threat: radiusFree ? nil : threat, evidence: evidence,
            progress: progress)
        return (flags, Date().timeIntervalSince(start))
    }

    /// AutoAttack's own black-box check: robust accuracy after its last white-box component against after
    /// Square, over all its images; nil when the ensemble has no Square (`rand`).
    static func componentComparison(_ autoAttack: AutoAttack, result: AttackResult, norm: PerturbationNorm)
        -> GradientMaskingChecks.Comparison?
    {
        let names = autoAttack.components(norm: norm).map(\.name)
        guard names.last == "square", names.count >= 2 else { return nil }
        let accuracies = AutoAttack.componentAccuracies(
            brokenBy: result.perImageLabels["broken_by"] ?? [], components: names)
        guard accuracies.count == names.count else { return nil }
        let white = accuracies[accuracies.count - 2]
        let black = accuracies[accuracies.count - 1]
        return GradientMaskingChecks.Comparison(
            white: white.robustAccuracy, black: black.robustAccuracy,
            whiteName: names.dropLast().joined(separator: ", "),
            blackName: "square", count: result.count)
    }
}

extension SanityFlag {
    /// The flag as `attack --json` writes it: check, status, value (null when skipped), figure, and the
    /// suggestion when it fired.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "check": .string(check.rawValue), "status": .string(status.rawValue),
            "value": value.isFinite ? .number(value) : .null, "figure": .string(figure),
        ]
        if fired { object["suggestion"] = .string(check.suggestion) }
        return .object(object)
    }
}
