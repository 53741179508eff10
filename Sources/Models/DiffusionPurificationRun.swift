import TensorCore

/// DiffPure's reverse chain one step at a time (`DiffusionPurifier.makeRun`; Nie et al. 2022): the input
/// diffused to `t*` at creation, then per step one DDPM ancestral step (Ho et al. 2020) or one DDIM step
/// (Song, Meng & Ermon 2021, eta 0) down the purifier's `visitedSteps`.
///
/// Off the recording path every step runs in `noGrad` on the sampler's fast predictor; on it (recording on
/// and an input that requires gradients) every step is recorded, so `output` is differentiable in the input.
public final class DiffusionPurificationRun: PurificationRun {
    public let purifier: DiffusionPurifier
    private let predict: (Tensor, [Int]) -> Tensor
    private let recording: Bool
    private let steps: [Int]
    public private(set) var stepIndex = 0
    /// The draws left (the generator or generators after the draws so far).
    public private(set) var noise: PurifierNoise
    /// `x_t` in the diffusion space [-1, 1] (roughly: it is not clamped).
    private var x: Tensor
    /// The last `x_0` estimate, unclamped, in the diffusion space.
    private var lastEstimate: Tensor?

    init(
        purifier: DiffusionPurifier, images: Tensor, noise: PurifierNoise, recording: Bool,
        predict: @escaping (Tensor, [Int]) -> Tensor
    ) {
        self.purifier = purifier
        self.predict = predict
        self.recording = recording
        steps = purifier.visitedSteps
        var draws = noise
        x = recording ? purifier.diffuse(images, noise: &draws) : noGrad { purifier.diffuse(images, noise: &draws) }
        self.noise = draws
    }

    public var stepCount: Int { steps.count }

    public var level: String { "t=\(stepIndex < steps.count ? steps[stepIndex] + 1 : 0)" }

    public var current: Tensor { noGrad { ((x + 1) * 0.5).clamped(min: 0, max: 1) } }

    public var estimate: Tensor? {
        lastEstimate.map { estimate in noGrad { (estimate.clamped(min: -1, max: 1) + 1) * 0.5 } }
    }

    public var output: Tensor { ((x + 1) * 0.5).clamped(min: 0, max: 1) }

    public func step() {
        guard !isFinished else { return }
        if recording { advance() } else { noGrad { advance() } }
    }

    /// One reverse step from `x_t`, `t = steps[stepIndex]` (0-based).
    private func advance() {
        let schedule = purifier.model.schedule
        let position = stepIndex
        let t = steps[position]
        let eps = predict(x, [Int](repeating: t, count: x.shape[0]))
        let alphaBar = schedule.alphaBars[t]
        let estimate = (x - eps * Float((1 - alphaBar).squareRoot())) * Float(1 / alphaBar.squareRoot())
        switch purifier.reverse {
        case .ddpm:
            let (c0, ct) = schedule.posteriorMeanCoefficients(t)
            var next = estimate.clamped(min: -1, max: 1) * Float(c0) + x * Float(ct)
            if t > 0 {
                let spread = Float(schedule.posteriorVariance(t).squareRoot())
                next = next + noise.normal(x.shape) * spread
            }
            x = Self.poisoningDivergedRows(next, eps: eps)
        case .ddim:
            let previous = position + 1 < steps.count ? schedule.alphaBars[steps[position + 1]] : 1
            x = estimate * Float(previous.squareRoot()) + eps * Float((1 - previous).squareRoot())
        }
        lastEstimate = recording ? estimate.detached() : estimate
        stepIndex += 1
    }

    /// `next` with NaN in every row whose noise prediction `eps` holds a NaN, an infinity or a value beyond
    /// 1e6 (a network whose weights overflow): the ancestral step clamps the `x_0` estimate to [-1, 1], so
    /// such a row would otherwise come out a finite, all-black or all-white image, purified without a word.
    /// NaN rows are what `NonFiniteOutputs.check(purified:)` refuses (DDIM's unclamped steps give them
    /// already). Adding a constant keeps `next` differentiable on the recording path.
    static func poisoningDivergedRows(_ next: Tensor, eps: Tensor) -> Tensor {
        let rows = eps.shape[0]
        let width = rows > 0 ? eps.count / rows : 0
        let diverged = (0..<rows).map { row in
            UnsafeBufferPointer(start: eps.data + row * width, count: width).contains { !(Swift.abs($0) <= 1e6) }
        }
        guard diverged.contains(true) else { return next }
        return next + Tensor(shape: [rows, 1], scalars: diverged.map { $0 ? Float.nan : 0 })
    }
}
