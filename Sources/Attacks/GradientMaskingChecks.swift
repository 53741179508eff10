import Foundation
import Models
import NeuralNet
import TensorCore

/// The sanity checks every robustness evaluation runs (see `SanityFlag`): six cheap probes of the model on
/// a few of the attacked images that tell whether a robust-accuracy figure can be trusted.
///
/// - randomised outputs: two forward passes of the same images; fires when a logit moves by more than
///   `1e-5 * max(1, |logit|)`.
/// - probability outputs: fires when every output row lies in [0, 1] and sums to 1 (within 1e-3).
/// - vanishing gradients: the share of images whose input gradient of the cross-entropy has L1 norm below
///   1e-8 (AutoAttack's threshold); fires when that share is at least `vanishingShare`.
/// - accuracy not falling with eps: PGD without random start (`ladderSteps` steps) at eps/2, eps, 2 eps,
///   4 eps (capped at the norm's largest radius); fires when accuracy rises by more than
///   `max(0.01, 1.5 / n)` from one radius to the next, or when the largest radius breaks no image.
/// - unbounded attack fails: the same PGD, L-inf, eps 1, `unboundedSteps` steps of 0.05; fires when a
///   correctly classified image survives.
/// - black box beats white box: Square (`squareQueries`; the L-inf or L2 Square Attack, as the threat's
///   norm) against the lowest white-box figure (PGD at eps and the evaluated attack when it is white-box);
///   fires when Square's robust accuracy is lower by more than `max(0.002, 1.5 / n)`. AutoAttack passes its
///   own components instead.
/// Gradient-free attacks and radius-free methods skip the checks that need a radius.
public struct GradientMaskingChecks: Sendable {
    public var ladderSteps = 20
    public var unboundedSteps = 50
    public var squareQueries = 1000
    public var vanishingShare = 0.05
    public var seed: UInt64 = 0

    /// What the evaluated attack measured, to compare with the checks' own attacks.
    public struct Evidence: Sendable {
        /// The evaluated attack's robust accuracy on the checked images, and whether it only queries the
        /// model; nil for radius-free methods.
        public var accuracy: Double?
        public var blackBox: Bool
        /// A ready-made comparison (AutoAttack: after its white-box components and after Square, on all
        /// its images); when set, the checks run no Square of their own.
        public var comparison: Comparison?

        public init(accuracy: Double?, blackBox: Bool, comparison: Comparison? = nil) {
            self.accuracy = accuracy
            self.blackBox = blackBox
            self.comparison = comparison
        }
    }

    /// Robust accuracies of a white-box and a black-box attack on the same `count` images.
    public struct Comparison: Sendable {
        public var white: Double
        public var black: Double
        public var whiteName: String
        public var blackName: String
        public var count: Int

        public init(white: Double, black: Double, whiteName: String, blackName: String, count: Int) {
            self.white = white
            self.black = black
            self.whiteName = whiteName
            self.blackName = blackName
            self.count = count
        }
    }

    public init() {}

    /// Runs every check on `images` (`[n, pixels]`) and `labels`.
    /// - Parameters:
    ///   - threat: the evaluation's threat model; nil for methods without a radius (their eps checks are
    ///     skipped).
    ///   - evidence: what the evaluated attack found on these images.
    ///   - progress: called with each check's name before it runs.
    /// - Returns: one flag per `SanityFlag.Check`, in declaration order.
    public func run(
        classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel?, evidence: Evidence,
        progress: ((String) -> Void)? = nil
    ) throws -> [SanityFlag] {
        let n = labels.count
        guard n > 0 else { return SanityFlag.Check.allCases.map { .skipped($0, because: "no images to check") } }
        let clean = noGrad { classifier(images) }
        let cleanAccuracy = accuracy(clean.argmax(), labels)
        var flags: [SanityFlag.Check: SanityFlag] = [:]

        progress?("randomised outputs")
        flags[.randomisedOutputs] = randomisedOutputs(classifier, images: images, first: clean)
        flags[.probabilityOutputs] = probabilityOutputs(clean)
        progress?("input gradients")
        flags[.vanishingGradients] = vanishingGradients(classifier, images: images, labels: labels)
        progress?("unbounded attack")
        flags[.unboundedAttackFails] = try unboundedAttack(classifier, images: images, labels: labels, clean: clean)

        if let threat, threat.norm != .l0, !threat.goal.isTargeted {
            progress?("eps ladder")
            let ladder = try epsilonLadder(classifier, images: images, labels: labels, threat: threat)
            flags[.accuracyNotFallingWithEps] = ladderFlag(ladder, clean: cleanAccuracy, n: n)
            let pgdAtEps = ladder.first { $0.epsilon == threat.epsilon }?.accuracy ?? cleanAccuracy
            progress?("black-box comparison")
            flags[.blackBoxBeatsWhiteBox] = try blackBoxComparison(
                classifier, images: images, labels: labels, threat: threat, pgdAccuracy: pgdAtEps,
                evidence: evidence)
        } else {
            let reason =
                threat == nil
                ? "the method has no radius" : threat!.goal.isTargeted ? "targeted attack" : "L0 has no eps ladder"
            flags[.accuracyNotFallingWithEps] = .skipped(.accuracyNotFallingWithEps, because: reason)
            if let comparison = evidence.comparison {
                flags[.blackBoxBeatsWhiteBox] = compare(comparison)
            } else {
                flags[.blackBoxBeatsWhiteBox] = .skipped(.blackBoxBeatsWhiteBox, because: reason)
            }
        }
        return SanityFlag.Check.allCases.map { flags[$0]! }
    }

    private func accuracy(_ predictions: [Int], _ labels: [Int]) -> Double {
        Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }

    private func randomisedOutputs(_ classifier: Classifier, images: Tensor, first: Tensor) -> SanityFlag {
        let second = noGrad { classifier(images) }
        var worst: Float = 0
        var fired = false
        for i in 0..<first.count {
            let (a, b) = (first.data[i], second.data[i])
            let change = a.isNaN != b.isNaN ? Float.infinity : abs(a - b)
            worst = max(worst, change)
            if change > 1e-5 * max(1, abs(a)) { fired = true }
        }
        return SanityFlag(
            .randomisedOutputs, status: fired ? .fired : .clear, value: Double(worst),
            figure: String(format: "largest output change between two identical passes %.3g", worst))
    }

    private func probabilityOutputs(_ outputs: Tensor) -> SanityFlag {
        let (rows, width) = (outputs.shape[0], outputs.shape[1])
        var probabilityRows = 0
        for r in 0..<rows {
            var sum: Double = 0
            var inRange = true
            for j in 0..<width {
                let v = outputs.data[r * width + j]
                if !(v >= -1e-6 && v <= 1 + 1e-6) { inRange = false }
                sum += Double(v)
            }
            if inRange && abs(sum - 1) <= 1e-3 { probabilityRows += 1 }
        }
        let share = Double(probabilityRows) / Double(max(rows, 1))
        return SanityFlag(
            .probabilityOutputs, status: share == 1 ? .fired : .clear, value: share,
            figure: String(format: "%.0f%% of output rows are probability vectors", share * 100))
    }

    private func vanishingGradients(_ classifier: Classifier, images: Tensor, labels: [Int]) -> SanityFlag {
        let n = labels.count
        let gradient = InputGradient.compute(classifier, at: images) { logits in
            Loss.crossEntropy(logits: logits, labels: labels)
        }.gradient
        let pixels = images.shape[1]
        var vanishing = 0
        for i in 0..<n {
            var l1: Double = 0
            for j in 0..<pixels { l1 += Double(abs(gradient.data[i * pixels + j])) }
            // The loss is the mean over the batch: each image's own gradient is n times larger.
            if !(l1 * Double(n) >= 1e-8) { vanishing += 1 }
        }
        let share = Double(vanishing) / Double(n)
        return SanityFlag(
            .vanishingGradients, status: vanishing > 0 && share >= vanishingShare ? .fired : .clear, value: share,
            figure: String(
                format: "%d of %d images (%.1f%%) have a zero or vanishing input gradient (L1 < 1e-8)", vanishing, n,
                share * 100))
    }

    private func unboundedAttack(_ classifier: Classifier, images: Tensor, labels: [Int], clean: Tensor) throws
        -> SanityFlag
    {
        let pgd = PGD(steps: unboundedSteps, stepSize: 0.05, randomStart: false, seed: seed)
        let result = try pgd.attack(classifier, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        let correct = result.outcomes.filter { $0.cleanPrediction == $0.label }
        // With no image classified correctly there is nothing for the attack to fool, and no figure.
        guard !correct.isEmpty else {
            return .skipped(.unboundedAttackFails, because: "no correctly classified image to attack")
        }
        let survived = correct.filter { $0.adversarialPrediction == $0.label }.count
        let success = 1 - Double(survived) / Double(correct.count)
        return SanityFlag(
            .unboundedAttackFails, status: survived > 0 ? .fired : .clear, value: success,
            figure: String(
                format: "PGD with eps 1 (L-inf, %d steps) fooled %.1f%% of the %d correctly classified images",
                unboundedSteps, success * 100, correct.count))
    }

    /// PGD's robust accuracy at eps/2, eps, 2 eps and 4 eps (capped; duplicates dropped).
    private func epsilonLadder(_ classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws
        -> [(epsilon: Float, accuracy: Double)]
    {
        let limit: Float = threat.norm == .linf ? 1 : Float(images.shape[1]).squareRoot()
        var radii: [Float] = []
        for factor: Float in [0.5, 1, 2, 4] where !radii.contains(min(threat.epsilon * factor, limit)) {
            radii.append(min(threat.epsilon * factor, limit))
        }
        let pgd = PGD(steps: ladderSteps, randomStart: false, seed: seed)
        return try radii.map { eps in
            var step = threat
            step.epsilon = eps
            return (eps, try pgd.attack(classifier, images: images, labels: labels, threat: step).adversarialAccuracy)
        }
    }

    private func ladderFlag(_ ladder: [(epsilon: Float, accuracy: Double)], clean: Double, n: Int) -> SanityFlag {
        let tolerance = max(0.01, 1.5 / Double(n))
        var worstRise = 0.0
        var previous = clean
        for rung in ladder {
            worstRise = max(worstRise, rung.accuracy - previous)
            previous = rung.accuracy
        }
        let last = ladder.last?.accuracy ?? clean
        let noneBroken = clean > 0 && last >= clean
        let steps = ladder.map { String(format: "%.3g: %.3f", $0.epsilon, $0.accuracy) }.joined(separator: ", ")
        return SanityFlag(
            .accuracyNotFallingWithEps, status: worstRise > tolerance || noneBroken ? .fired : .clear,
            value: worstRise,
            figure: String(format: "PGD robust accuracy by eps (clean %.3f): ", clean) + steps)
    }

    private func blackBoxComparison(
        _ classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel, pgdAccuracy: Double,
        evidence: Evidence
    ) throws -> SanityFlag {
        if let comparison = evidence.comparison { return compare(comparison) }
        var white = (pgdAccuracy, "pgd")
        if let own = evidence.accuracy, !evidence.blackBox, own < white.0 { white = (own, "the evaluated attack") }
        let black: (Double, String)
        if let own = evidence.accuracy, evidence.blackBox {
            black = (own, "the evaluated attack")
        } else {
            let square = SquareAttack(queries: squareQueries, seed: seed)
            black = (
                try square.attack(classifier, images: images, labels: labels, threat: threat).adversarialAccuracy,
                "square (\(squareQueries) queries)"
            )
        }
        return compare(
            Comparison(white: white.0, black: black.0, whiteName: white.1, blackName: black.1, count: labels.count))
    }

    private func compare(_ c: Comparison) -> SanityFlag {
        let tolerance = max(0.002, 1.5 / Double(max(c.count, 1)))
        return SanityFlag(
            .blackBoxBeatsWhiteBox, status: c.black < c.white - tolerance ? .fired : .clear, value: c.white - c.black,
            figure: String(
                format: "robust accuracy: white-box %@ %.3f, black-box %@ %.3f", c.whiteName, c.white, c.blackName,
                c.black))
    }
}
