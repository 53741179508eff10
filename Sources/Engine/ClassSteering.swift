import Foundation

/// What the Sample screen asks a class-aware sampler for: no class, one class or a row per class, and
/// the guidance strength: `w` of classifier-free guidance (Ho & Salimans 2021) on a class-conditional
/// DDPM, `s` of classifier guidance (Dhariwal & Nichol 2021) on an unconditional one. A conditional VAE
/// (Sohn et al. 2015) decodes the class with the code and has nothing to scale.
public struct ClassSteering: Sendable, Equatable {
    /// How the class enters the sampler.
    public enum Guidance: Sendable, Equatable {
        /// A class-conditional DDPM: `eps = (1 + w) eps(x, t, k) - w eps(x, t, none)`; `unconditional` is
        /// false for a run trained with `p_uncond` 0, which has no unconditional prediction (w stays 0).
        case classifierFree(unconditional: Bool)
        /// An unconditional DDPM steered by the gradient of this classifier run's `log p(k | x_t)`.
        case classifier(run: String)
        /// A conditional VAE: the class is decoded with the code.
        case conditionalDecoder
    }

    /// The `w` values `w` / `W` step through.
    public static let guidanceWeights: [Double] = [0, 0.5, 1, 2, 4, 8]
    /// The classifier guidance scales `w` / `W` step through.
    public static let classifierScales: [Double] = [0, 1, 2, 5, 10, 20, 50]

    public var guidance: Guidance
    /// nil: no label (unguided).
    public var classRequest: ClassRequest?
    /// `w` or `s`; 0 for a conditional VAE.
    public var strength: Double
    /// The dataset's class names, one per class.
    public let classNames: [String]
    /// Samples per class with `.all`, and the batch for one class or none.
    public let perClass: Int
    public let batch: Int

    public init(
        guidance: Guidance, classRequest: ClassRequest?, strength: Double, classNames: [String], perClass: Int,
        batch: Int
    ) {
        self.guidance = guidance
        self.classRequest = classRequest
        self.strength = strength
        self.classNames = classNames
        self.perClass = perClass
        self.batch = batch
    }

    /// The strengths `nextStrength` steps through: empty when there is nothing to scale.
    public var ladder: [Double] {
        switch guidance {
        case .classifierFree(let unconditional): return unconditional ? Self.guidanceWeights : []
        case .classifier: return Self.classifierScales
        case .conditionalDecoder: return []
        }
    }

    /// The next class (`forward`) or the previous one, in the cycle none, 0, 1, ..., K - 1, all.
    public func nextClass(forward: Bool) -> ClassSteering {
        let cycle: [ClassRequest?] = [nil] + classNames.indices.map { ClassRequest.one($0) } + [.all]
        let position = cycle.firstIndex { $0 == classRequest } ?? 0
        var next = self
        next.classRequest = cycle[(position + (forward ? 1 : cycle.count - 1)) % cycle.count]
        return next
    }

    /// One notch up or down the ladder of strengths, or nil at its end or without a ladder.
    public func nextStrength(up: Bool) -> ClassSteering? {
        let values = ladder
        guard !values.isEmpty else { return nil }
        let target =
            up ? values.first { $0 > strength + 1e-9 } : values.last { $0 < strength - 1e-9 }
        guard let target else { return nil }
        var next = self
        next.strength = target
        return next
    }

    /// The class of each sample, or nil for none: `batch` of one class, or `perClass` of each class.
    public var labels: [Int]? {
        switch classRequest {
        case nil: return nil
        case .one(let k): return [Int](repeating: k, count: batch)
        case .all: return classNames.indices.flatMap { [Int](repeating: $0, count: perClass) }
        }
    }

    /// Samples in the batch.
    public var sampleCount: Int { labels?.count ?? batch }

    /// `w` (classifier-free guidance) or `s` (classifier guidance).
    private var symbol: String {
        if case .classifier = guidance { return "s" }
        return "w"
    }

    /// "none", "3 Dress" (just "3" when that is the name) or "all (a row of 4 per class)".
    public var classLabel: String {
        switch classRequest {
        case nil: return "none"
        case .one(let k): return k < classNames.count && classNames[k] != "\(k)" ? "\(k) \(classNames[k])" : "\(k)"
        case .all: return "all (a row of \(perClass) per class)"
        }
    }

    /// The guidance in words: "w 2 (classifier-free)", "s 10 (classifier NAME)", "decoded with the code";
    /// without a class, "none (no class)" and the strength kept for when one is picked.
    public var guidanceLabel: String {
        if classRequest == nil, guidance != .conditionalDecoder {
            return "none (no class)" + (ladder.isEmpty ? "" : String(format: "; %@ %g kept", symbol, strength))
        }
        switch guidance {
        case .classifierFree(let unconditional):
            return unconditional
                ? String(format: "w %g (classifier-free)", strength) : "none (trained with p_uncond 0)"
        case .classifier(let run): return String(format: "s %g (classifier %@)", strength, run)
        case .conditionalDecoder: return "the class is decoded with the code"
        }
    }
}
