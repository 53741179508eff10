import Foundation
import TensorCore

/// Purification by annealed Langevin dynamics with a denoising autoencoder's score (Song & Ermon 2019,
/// algorithm 1, started from the input instead of noise; the purifier of Yoon, Hwang & Lee 2021): add
/// noise at the first level, take `stepsPerLevel` steps `x += alpha_i s(x) + sqrt(2 alpha_i) z` at each of
/// the DAE's lowest `levelCount` noise levels (`alpha_i = epsilon sigma_i^2 / sigma_L^2`), then return the
/// denoised `r(x)` at the last level (Tweedie's formula), clamped to [0, 1].
///
/// The score is `(r(x) - x) / sigma^2` from the DAE's network, differentiable inside a recording scope.
/// `makeRun` steps the same chain by hand (`LangevinPurificationRun`); `purify` runs it to its end.
public final class LangevinPurifier: SteppablePurifier {
    public let model: DenoisingAutoencoder
    /// The levels visited, largest sigma first: the lowest `levelCount` of the DAE's ladder.
    public let ladder: [(sigma: Float, level: Int)]
    public let stepsPerLevel: Int
    /// The base step `epsilon` (`0.05 sigma_L^2` by default, as `sample annealed-langevin` uses).
    public let epsilon: Float

    /// - Throws: `PurifierError` for a level count outside 1 ... L or a step count below 0.
    public init(model: DenoisingAutoencoder, levelCount: Int, stepsPerLevel: Int, epsilon: Float? = nil) throws {
        let order = model.sigmas.enumerated().map { (sigma: $0.element, level: $0.offset) }.sorted {
            $0.sigma > $1.sigma
        }
        guard levelCount >= 1, levelCount <= order.count else {
            throw PurifierError("--levels must be in 1...\(order.count) (the DAE's noise levels), got \(levelCount)")
        }
        guard stepsPerLevel >= 0 else {
            throw PurifierError("--steps per level must be 0 or more, got \(stepsPerLevel)")
        }
        self.model = model
        ladder = Array(order.suffix(levelCount))
        self.stepsPerLevel = stepsPerLevel
        let last = ladder[ladder.count - 1].sigma
        self.epsilon = epsilon ?? 0.05 * last * last
        Self.freeze(model.namedParameters.map(\.tensor))
    }

    public var summary: String {
        let sigmas = ladder.map { String(format: "%g", $0.sigma) }.joined(separator: ",")
        return "langevin sigmas \(sigmas), \(stepsPerLevel) step\(stepsPerLevel == 1 ? "" : "s") each"
    }

    public var pixelCount: Int { model.pixelCount }
    public var isRandomised: Bool { true }

    public func purify(_ images: Tensor, noise: inout PurifierNoise) -> Tensor {
        let run = LangevinPurificationRun(purifier: self, images: images, noise: noise)
        while !run.isFinished { run.step() }
        noise = run.noise
        return run.output
    }

    public func makeRun(_ images: Tensor, noise: PurifierNoise) -> any PurificationRun {
        LangevinPurificationRun(purifier: self, images: images, noise: noise)
    }
}
