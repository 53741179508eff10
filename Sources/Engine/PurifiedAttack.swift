import Attacks
import Datasets
import Models
import TensorCore

/// How an attack treats a purification defence (Athalye, Carlini & Wagner 2018; Tramer et al. 2020, "On
/// adaptive attacks to adversarial example defenses").
public enum AdaptiveAttack: String, CaseIterable, Sendable {
    /// No attack: the defended classifier on the clean images.
    case none
    /// The attack sees the classifier alone; its examples are then purified and classified.
    case naive
    /// The purifier's backward pass replaced by the identity.
    case bpda
    /// BPDA with every gradient averaged over several draws of the purifier's randomness (EOT).
    case bpdaEOT = "bpda-eot"
    /// Gradients through the purifier itself.
    case full

    /// The attack modes, strongest last as `bench purify` orders them.
    public static let attacks: [AdaptiveAttack] = [.naive, .bpda, .bpdaEOT, .full]
}

/// An attack on a classifier behind a purifier, and the defended classifier's verdict on its examples.
///
/// The verdict is a separate evaluation after the attack, never the attack's own bookkeeping: with
/// `fresh` randomness the purifier draws noise the attack never saw (as a deployed randomised defence
/// does); with `fixed` randomness the evaluation repeats the attack's draws (the same seed, the same
/// batches), so the defence is one deterministic function for both.
public struct PurifiedAttack {
    public var purifier: any Purifier
    public var randomness: PurifierRandomness
    /// Draws per gradient for `bpdaEOT`.
    public var eotDraws: Int
    /// Draws per gradient for `full` (1: one draw, the chain's own gradient).
    public var fullDraws = 1
    public var seed: UInt64
    /// How messages name the purifier (`'--defense' run 'NAME'`).
    public var name = "the purifier"

    public init(purifier: any Purifier, randomness: PurifierRandomness, eotDraws: Int = 8, seed: UInt64 = 0) {
        self.purifier = purifier
        self.randomness = randomness
        self.eotDraws = eotDraws
        self.seed = seed
    }

    /// Draws averaged per gradient in `mode` (1 but for bpda-eot and a full gradient with EOT).
    public func draws(for mode: AdaptiveAttack) -> Int {
        mode == .bpdaEOT ? eotDraws : mode == .full ? fullDraws : 1
    }

    /// The defended classifier the attack sees in `mode` (the gradient path set accordingly).
    public func defended(_ classifier: Classifier, mode: AdaptiveAttack) throws -> Classifier {
        let layer = PurificationLayer(
            purifier: purifier, gradient: mode == .full ? .full : .bpda, randomness: randomness, seed: seed)
        return try PurificationDefense.wrap(classifier, layer: layer)
    }

    /// The defended classifier's predictions for `images` `[n, pixels]`, `batchSize` rows per call (the
    /// attack's batches, so fixed randomness repeats its draws); fresh randomness uses a seed of its own.
    public func predictions(_ classifier: Classifier, images: Tensor, batchSize: Int) throws -> [Int] {
        let evaluationSeed = randomness == .fixed ? seed : seed &+ 0x9E37_79B9_7F4A_7C15
        try PurificationDefense.checkSize(classifier, purifier: purifier)
        let layer = PurificationLayer(purifier: purifier, gradient: .bpda, randomness: randomness, seed: evaluationSeed)
        var predicted: [Int] = []
        var first = 0
        let rows = images.shape[0]
        while first < rows {
            let last = min(first + batchSize, rows)
            // The purified images are checked, not the logits: a ReLU turns a NaN into 0.
            let purified = noGrad { layer(images.rows(first..<last)) }
            try NonFiniteOutputs.check(purified: purified, purifier: name)
            predicted += noGrad { classifier(purified).argmax() }
            first = last
        }
        return predicted
    }

    /// Runs `attack` in `mode` on `dataset`'s first `count` test images and replaces every prediction in its
    /// result (clean and adversarial) by the defended classifier's verdict.
    /// - Parameter mode: any mode but `none`.
    public func run(
        _ attack: any Attack, method: String, mode: AdaptiveAttack, classifier: Classifier, dataset: Dataset,
        count: Int, batchSize: Int, threat: ThreatModel, progress: TestSetAttack.Progress? = nil
    ) throws -> AttackResult {
        precondition(mode != .none, "PurifiedAttack.run: no attack to run")
        let target = mode == .naive ? classifier : try defended(classifier, mode: mode)
        var result = try ExpectationOverTransformation.$draws.withValue(draws(for: mode)) {
            try TestSetAttack.run(
                attack, method: method, model: target, dataset: dataset, count: count, batchSize: batchSize,
                threat: threat, progress: progress)
        }
        let pixels = dataset.pixelCount
        let clean = Tensor(shape: [count, pixels], copying: dataset.testImages[0..<(count * pixels)])
        let cleanPredictions = try predictions(classifier, images: clean, batchSize: batchSize)
        let adversarialPredictions = try predictions(classifier, images: result.adversarial, batchSize: batchSize)
        for index in result.outcomes.indices {
            var outcome = result.outcomes[index]
            outcome.cleanPrediction = cleanPredictions[index]
            outcome.adversarialPrediction = adversarialPredictions[index]
            outcome.success =
                outcome.target.map { adversarialPredictions[index] == $0 }
                ?? (adversarialPredictions[index] != outcome.label)
            result.outcomes[index] = outcome
        }
        return result
    }
}
