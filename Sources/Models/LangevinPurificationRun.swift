import Foundation
import TensorCore

/// The Langevin purifier's chain one step at a time (`LangevinPurifier.makeRun`; Song & Ermon 2019,
/// algorithm 1, started from the input): noise at the first level at creation, then per step one update
/// `x += alpha_i s(x) + sqrt(2 alpha_i) z` with the score `s(x) = (r(x) - x) / sigma_i^2` of the DAE, level
/// after level; the output is `r(x)` at the last level (Tweedie's formula), clamped to [0, 1].
///
/// It records whatever the caller's grad mode records (the DAE's weights never require gradients).
public final class LangevinPurificationRun: PurificationRun {
    public let purifier: LangevinPurifier
    public private(set) var stepIndex = 0
    /// The draws left (the generator or generators after the draws so far).
    public private(set) var noise: PurifierNoise
    private var x: Tensor
    /// `r(x)` of the state the last step started from.
    private var lastEstimate: Tensor?

    init(purifier: LangevinPurifier, images: Tensor, noise: PurifierNoise) {
        self.purifier = purifier
        var draws = noise
        x = images + draws.normal(images.shape) * purifier.ladder[0].sigma
        self.noise = draws
    }

    public var stepCount: Int { purifier.ladder.count * purifier.stepsPerLevel }

    /// The ladder position of the next step (the last level once finished).
    private var rung: (sigma: Float, level: Int) { rung(ofStep: stepIndex) }

    /// The ladder position of step `step` (0-based; the last level past the end).
    private func rung(ofStep step: Int) -> (sigma: Float, level: Int) {
        let ladder = purifier.ladder
        guard purifier.stepsPerLevel > 0 else { return ladder[ladder.count - 1] }
        return ladder[min(step / purifier.stepsPerLevel, ladder.count - 1)]
    }

    /// The level of the state: the first level's before any step (the input with its noise), after a step
    /// the level that step took. It named the next step's level, so the Attack lab's purification steps
    /// labelled each level's last step with the level after it: at 1 step a level the first level never
    /// showed and the last showed twice.
    public var level: String { String(format: "sigma %.3g", rung(ofStep: max(stepIndex - 1, 0)).sigma) }

    public var current: Tensor { noGrad { x.clamped(min: 0, max: 1) } }

    public var estimate: Tensor? { lastEstimate.map { estimate in noGrad { estimate.clamped(min: 0, max: 1) } } }

    public var output: Tensor {
        let last = purifier.ladder[purifier.ladder.count - 1]
        return purifier.model.denoisedPixels(x, levels: [Int](repeating: last.level, count: x.shape[0])).clamped(
            min: 0, max: 1)
    }

    public func step() {
        guard !isFinished else { return }
        let (sigma, level) = rung
        let last = purifier.ladder[purifier.ladder.count - 1].sigma
        let alpha = purifier.epsilon * sigma * sigma / (last * last)
        let denoised = purifier.model.denoisedPixels(x, levels: [Int](repeating: level, count: x.shape[0]))
        let score = (denoised - x) * (1 / (sigma * sigma))
        x = x + score * alpha + noise.normal(x.shape) * (2 * alpha).squareRoot()
        lastEstimate = denoised.detached()
        stepIndex += 1
    }
}
