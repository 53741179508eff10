import Attacks
import Foundation
import Models
import TensorCore

/// The workbench's view of purification (issue 15; DiffPure, Nie et al. 2022; Langevin purification, Yoon,
/// Hwang & Lee 2021): one adversarial image purified one reverse step at a time, with the classifier's
/// verdict on the clean image predicted at every step; then an adaptive attack on the defended classifier
/// (BPDA with EOT, or the full gradient through the chain: Athalye, Carlini & Wagner 2018) whose image is
/// purified step by step the same way, to watch the defence hold or fall.
///
/// A step is one reverse step of the chain (`PurificationRun`) or, while the adaptive attack runs, one PGD
/// iteration. Changing `t*` (DAE: the levels) or the reverse steps restarts the chain on the image being
/// purified. The chain draws from its own generator, so the adaptive attack (fresh randomness, its own
/// seed) never sees the noise that purifies its result. Not thread-safe: use it from the runner's queue.
public final class PurificationStepExperiment: VisualExperiment {
    /// What the steps are doing.
    public enum Phase: Equatable, Sendable {
        /// The chain runs on the adversarial image (`adaptive`: the adaptive attack's).
        case purifying(adaptive: Bool)
        /// The adaptive attack runs, one PGD iteration a step.
        case attacking(AdaptiveAttack)
        /// The chain reached `x_0`.
        case done(adaptive: Bool)
    }

    /// One reverse step's verdict: the classifier on the predicted clean image.
    public struct StepVerdict: Sendable, Equatable {
        public var step: Int
        public var level: String
        public var prediction: Int
        public var probability: Double
        public var trueProbability: Double
    }

    public let classifier: Classifier
    /// The clean image `[1, pixels]` in [0, 1], its label and index in the test set.
    public let clean: Tensor
    public let label: Int
    public let imageIndex: Int
    public let imageWidth: Int
    public let imageHeight: Int
    public let classNames: [String]
    /// The attack that made `adversarial` (`pgd eps 0.1`), for the figures.
    public let attackName: String
    /// The L-inf radius of the adaptive attack (the first attack's).
    public let epsilon: Float
    public let adversarial: Tensor
    /// The adaptive attack's image, once it ran.
    public private(set) var adaptive: Tensor?
    public private(set) var purifier: any SteppablePurifier
    public private(set) var phase: Phase = .purifying(adaptive: false)
    public private(set) var verdicts: [StepVerdict] = []
    /// The purified image's verdict per attack (`naive`, `bpda-eot`, `full`), kept across restarts.
    public private(set) var outcomes: [(attack: String, prediction: Int, probability: Double)] = []
    /// PGD iterations and EOT draws of the adaptive attack.
    public var attackSteps = 20
    public var eotDraws = 4
    private var chain: any PurificationRun
    private var attackRun: AttackRun?
    private var adaptiveMode: AdaptiveAttack?
    private var generator: RandomGenerator
    private let seed: UInt64

    /// - Parameters:
    ///   - clean, adversarial: `[1, imageHeight * imageWidth]` in [0, 1]; `label`: the true class.
    ///   - purifier: a DiffPure or Langevin purifier of the same image size as the classifier.
    /// - Throws: `PurifierError` for images or a purifier of the wrong size.
    public init(
        classifier: Classifier, purifier: any SteppablePurifier, clean: Tensor, adversarial: Tensor, label: Int,
        imageIndex: Int, classNames: [String], attackName: String, epsilon: Float, seed: UInt64 = 0
    ) throws {
        let pixels = classifier.imageHeight * classifier.imageWidth
        guard clean.shape == [1, pixels], adversarial.shape == [1, pixels], purifier.pixelCount == pixels else {
            throw PurifierError("the images or the purifier do not match the classifier's \(pixels) pixels")
        }
        self.classifier = classifier
        self.purifier = purifier
        self.clean = clean
        self.adversarial = adversarial
        self.label = label
        self.imageIndex = imageIndex
        imageWidth = classifier.imageWidth
        imageHeight = classifier.imageHeight
        self.classNames = classNames
        self.attackName = attackName
        self.epsilon = epsilon
        self.seed = seed
        generator = RandomGenerator(seed: seed)
        chain = purifier.makeRun(adversarial, generator: generator)
    }

    /// The image being purified: the adaptive attack's once it ran, else the first attack's.
    public var attacked: Tensor { adaptive ?? adversarial }

    public var isFinished: Bool { if case .done = phase { return true } else { return false } }

    public var progress: (done: Int, total: Int) {
        if case .attacking = phase, let run = attackRun { return (run.iteration, run.iterationCount) }
        return (chain.stepIndex, max(chain.stepCount, 1))
    }

    public func step() throws -> StepReport {
        switch phase {
        case .attacking(let mode):
            guard let run = attackRun else { return StepReport(metrics: [:]) }
            let draws = mode == .bpdaEOT ? eotDraws : 1
            try ExpectationOverTransformation.$draws.withValue(draws) { try run.step() }
            if run.isFinished {
                adaptive = run.output.detached()
                attackRun = nil
                restartChain()
            }
            return StepReport(metrics: ["attack_loss": run.loss])
        case .purifying(let isAdaptive):
            chain.step()
            if let estimate = chain.estimate {
                let p = probabilities(estimate)
                let best = p.indices.max { p[$0] < p[$1] } ?? 0
                verdicts.append(
                    StepVerdict(
                        step: chain.stepIndex, level: chain.level, prediction: best, probability: p[best],
                        trueProbability: p[label]))
            }
            if chain.isFinished {
                let p = probabilities(chain.output)
                let best = p.indices.max { p[$0] < p[$1] } ?? 0
                let name = isAdaptive ? (adaptiveMode?.rawValue ?? "adaptive") : "naive"
                outcomes.removeAll { $0.attack == name }
                outcomes.append((name, best, p[best]))
                phase = .done(adaptive: isAdaptive)
            }
            return StepReport(metrics: [:])
        case .done:
            return StepReport(metrics: [:])
        }
    }

    /// Class probabilities of one image `[1, pixels]`.
    private func probabilities(_ image: Tensor) -> [Double] {
        noGrad { classifier(image.detached()).softmax() }.scalars.map(Double.init)
    }

    /// Starts the chain over on the image being purified, with fresh draws.
    private func restartChain() {
        generator = RandomGenerator(seed: generator.next())
        chain = purifier.makeRun(attacked, generator: generator)
        verdicts = []
        phase = .purifying(adaptive: adaptive != nil)
    }

    /// Replaces the purifier (new `t*` or steps) and restarts the chain; an attack in progress is dropped.
    public func setPurifier(_ purifier: any SteppablePurifier) {
        self.purifier = purifier
        attackRun = nil
        if case .attacking = phase { adaptive = nil }
        restartChain()
    }

    /// Runs `mode` (`bpda-eot` or `full`): PGD, L-inf `epsilon`, `attackSteps` iterations from the clean
    /// image, on the classifier behind the purifier (fresh randomness, its own seed); its image is then
    /// purified step by step.
    /// - Throws: `AttackError` or `PurifierError` when the attack cannot be built.
    public func startAdaptiveAttack(_ mode: AdaptiveAttack) throws {
        precondition(mode == .bpdaEOT || mode == .full || mode == .bpda, "an adaptive mode")
        let settings = PurifiedAttack(purifier: purifier, randomness: .fresh, eotDraws: eotDraws, seed: seed &+ 1)
        let defended = try settings.defended(classifier, mode: mode)
        attackRun = try PGD(steps: attackSteps, stepSize: epsilon / 4, randomStart: false).makeRun(
            classifier: defended, images: clean, labels: [label], threat: ThreatModel(epsilon: epsilon))
        adaptiveMode = mode
        adaptive = nil
        verdicts = []
        phase = .attacking(mode)
    }

    /// The purifier's `t*` and reverse steps (DDPM: `nil` steps for every ancestral step, DDIM otherwise)
    /// or the DAE's levels and steps per level, as the keys change them.
    public var settings: (depth: Int, steps: Int?) {
        switch purifier {
        case let diffusion as DiffusionPurifier:
            if case .ddim(let steps) = diffusion.reverse { return (diffusion.tStar, steps) }
            return (diffusion.tStar, nil)
        case let langevin as LangevinPurifier: return (langevin.ladder.count, langevin.stepsPerLevel)
        default: return (0, nil)
        }
    }

    private func className(_ index: Int) -> String {
        index >= 0 && index < classNames.count ? classNames[index] : String(index)
    }

    private func image(_ tensor: Tensor, caption: String) -> Snapshot.Image {
        Snapshot.Image(width: imageWidth, height: imageHeight, values: tensor.scalars, caption: caption)
    }

    /// `images["purify x_t"]` marks this view. Images: clean, perturbation, attacked, `x_t`, predicted
    /// `x_0`; curves: `p(true class)` and `p(prediction)` over steps; bars `purification steps`: the newest
    /// steps' predictions; figures: the settings and each attack's purified verdict.
    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        // While the adaptive attack runs: its current iterate.
        let attackedImage = attackRun.map { run in noGrad { run.output.detached() } } ?? attacked
        let before = probabilities(clean)
        let after = probabilities(attackedImage)
        let cleanBest = before.indices.max { before[$0] < before[$1] } ?? 0
        let attackedBest = after.indices.max { after[$0] < after[$1] } ?? 0
        func verdict(_ prediction: Int, _ p: Double) -> String {
            String(format: "%@ %.0f%%", className(prediction), p * 100)
        }
        let delta = zip(attackedImage.scalars, clean.scalars).map { $0 - $1 }
        let linf = delta.map(abs).max() ?? 0
        var name = adaptive != nil ? (adaptiveMode?.rawValue ?? "adaptive") : "adversarial"
        if case .attacking(let mode) = phase { name = "\(mode.rawValue), attacking" }
        snapshot.images["clean"] = [image(clean, caption: verdict(cleanBest, before[cleanBest]))]
        snapshot.images["perturbation"] = [
            Snapshot.Image(
                width: imageWidth, height: imageHeight, values: delta, caption: String(format: "L-inf %.3f", linf))
        ]
        snapshot.images["adversarial"] = [image(attackedImage, caption: verdict(attackedBest, after[attackedBest]))]
        if case .attacking = phase {
            // The chain starts once the attack is done.
            snapshot.images["purify x_t"] = []
            snapshot.images["purify x_0"] = []
        } else {
            let shown = chain.isFinished ? chain.output : chain.current
            snapshot.images["purify x_t"] = [
                image(noGrad { shown.detached() }, caption: chain.isFinished ? "purified" : chain.level)
            ]
            let caption = verdicts.last.map { verdict($0.prediction, $0.probability) } ?? ""
            snapshot.images["purify x_0"] = chain.estimate.map { estimate in [image(estimate, caption: caption)] } ?? []
        }
        let steps = verdicts.map { Double($0.step) }
        snapshot.curves = [
            "p(true class)": (steps, verdicts.map(\.trueProbability)),
            "p(prediction)": (steps, verdicts.map(\.probability)),
        ]
        // Short labels in columns: the step right-aligned to the chain's step count and the level padded to
        // the widest shown, so that the rows stay aligned when either gains a digit (99 -> 100, t=10 -> t=9).
        let newest = Array(verdicts.suffix(12).reversed())
        let levels = newest.map { $0.level.replacingOccurrences(of: "sigma ", with: "σ") }
        let stepWidth = max(String(chain.stepCount).count, newest.map { String($0.step).count }.max() ?? 0)
        let levelWidth = levels.map(\.count).max() ?? 0
        snapshot.bars["purification steps"] = zip(newest, levels).map { verdict, level in
            let step = String(verdict.step)
            let label =
                String(repeating: " ", count: stepWidth - step.count) + step + " " + level
                + String(repeating: " ", count: levelWidth - level.count) + " " + className(verdict.prediction)
            return Snapshot.Bar(label: label, value: verdict.probability)
        }
        let stage: String
        switch phase {
        case .attacking(let mode):
            stage = attackRun.map { "attacking (\(mode.rawValue)) \($0.iteration)/\($0.iterationCount)" } ?? "attacking"
        case .purifying: stage = "purifying \(chain.stepIndex)/\(chain.stepCount)"
        case .done: stage = "purified"
        }
        snapshot.figures = [
            ("image", "\(imageIndex) (true: \(className(label)))"),
            ("purifier", purifier.summary),
            ("attack", attackName),
            ("purifying", name),
            ("stage", stage),
        ]
        for outcome in outcomes {
            let beaten = outcome.prediction != label
            snapshot.figures.append(
                (
                    "\(outcome.attack) → purified",
                    verdict(outcome.prediction, outcome.probability) + (beaten ? " (beaten)" : " (holds)")
                ))
        }
    }
}
