import Foundation
import TensorCore

/// DiffPure (Nie et al. 2022, "Diffusion models for adversarial purification"): diffuse the input to step
/// `t*` with `q(x_t* | x_0)`, which drowns a small perturbation in Gaussian noise, then run a DDPM's reverse
/// chain back to `x_0`: every ancestral step from `t*` (Ho et al. 2020) or `S` DDIM steps (Song, Meng &
/// Ermon 2021, eta 0) on an evenly spaced sub-sequence of `1 ... t*`.
///
/// Both the forward noise and the ancestral noise come from the generator handed to `purify`; DDIM adds
/// no noise after the first draw. Inside a recording scope with an input that requires gradients, the
/// whole chain is differentiable (the noise predictor on its autograd path); otherwise it runs on the
/// sampler's inference path, in chunks of `chunkRows` images. `makeRun` steps the same chain by hand
/// (`DiffusionPurificationRun`); `purify` runs it to its end.
public final class DiffusionPurifier: SteppablePurifier {
    /// How the chain comes back from `t*`.
    public enum Reverse: Equatable, Sendable {
        /// Every ancestral step `t*, t* - 1, ..., 1`, `x_0` estimates clipped to [-1, 1].
        case ddpm
        /// `steps` deterministic DDIM steps.
        case ddim(steps: Int)
    }

    public let model: DDPM
    /// The paper's `t*` (1 ... T): how far the input is diffused.
    public let tStar: Int
    public let reverse: Reverse
    /// Rows purified at once on the inference path (bounds the U-Net's activation memory).
    public var chunkRows = 128
    private var fastPredictor: ((Tensor, [Int]) -> Tensor)?

    /// - Throws: `PurifierError` when `t*` is outside 1 ... T, or DDIM asks for more steps than `t*`.
    public init(model: DDPM, tStar: Int, reverse: Reverse) throws {
        let total = model.schedule.stepCount
        guard tStar >= 1, tStar <= total else {
            throw PurifierError("--t-star must be in 1...\(total) (the run's T), got \(tStar)")
        }
        if case .ddim(let steps) = reverse, steps < 1 || steps > tStar {
            throw PurifierError("--reverse-steps must be in 1...\(tStar) (t*), got \(steps)")
        }
        guard !model.isConditional else {
            throw PurifierError(
                "a class-conditional DDPM cannot purify (it would need the label); use an unconditional run")
        }
        self.model = model
        self.tStar = tStar
        self.reverse = reverse
        Self.freeze(model.namedParameters.map(\.tensor))
    }

    public var summary: String {
        switch reverse {
        case .ddpm: return "diffpure t*=\(tStar), \(tStar) ddpm steps"
        case .ddim(let steps): return "diffpure t*=\(tStar), \(steps) ddim step\(steps == 1 ? "" : "s")"
        }
    }

    public var pixelCount: Int { model.pixelCount }
    public var isRandomised: Bool { true }

    /// The step indices the reverse chain visits, descending (0-based: index `i` is the paper's `t = i + 1`).
    public var visitedSteps: [Int] {
        switch reverse {
        case .ddpm: return Array((0..<tStar).reversed())
        case .ddim(let steps): return (0..<steps).map { ($0 + 1) * tStar / steps - 1 }.reversed()
        }
    }

    /// `x_t* = sqrt(alphaBar_t*) (2 x - 1) + sqrt(1 - alphaBar_t*) z` for images `x` in [0, 1]; the
    /// diffusion space is [-1, 1]. Differentiable in `images`.
    public func diffuse(_ images: Tensor, noise draws: inout PurifierNoise) -> Tensor {
        let alphaBar = model.schedule.alphaBars[tStar - 1]
        let noise = draws.normal(images.shape)
        return (images * 2 - 1) * Float(alphaBar.squareRoot()) + noise * Float((1 - alphaBar).squareRoot())
    }

    /// `diffuse` with the noise drawn in turn from `generator`.
    public func diffuse(_ images: Tensor, generator: inout RandomGenerator) -> Tensor {
        var draws = PurifierNoise(generator)
        let diffused = diffuse(images, noise: &draws)
        generator = draws.generator!
        return diffused
    }

    public func purify(_ images: Tensor, noise: inout PurifierNoise) -> Tensor {
        let recording = GradMode.isEnabled && images.requiresGrad
        if recording { return chain(images, recording: true, noise: &noise) }
        let rows = images.shape[0]
        guard rows > chunkRows else { return noGrad { chain(images, recording: false, noise: &noise) } }
        var parts: [Tensor] = []
        var start = 0
        while start < rows {
            let end = min(start + chunkRows, rows)
            let part = images.rows(start..<end).detached()
            parts.append(noise.rows(start..<end) { draws in noGrad { chain(part, recording: false, noise: &draws) } })
            start = end
        }
        return Tensor.concatenate(parts, axis: 0)
    }

    public func makeRun(_ images: Tensor, noise: PurifierNoise) -> any PurificationRun {
        makeDiffusionRun(images, noise: noise, recording: GradMode.isEnabled && images.requiresGrad)
    }

    /// The chain of `images` as a step machine; `purify` runs it to its end.
    private func makeDiffusionRun(_ images: Tensor, noise: PurifierNoise, recording: Bool)
        -> DiffusionPurificationRun
    {
        let predict: (Tensor, [Int]) -> Tensor
        if recording {
            predict = { [model] x, t in model.predictNoiseForSampling(x, timesteps: t) }
        } else {
            if fastPredictor == nil { fastPredictor = model.makeSamplingPredictor() }
            predict = fastPredictor!
        }
        return DiffusionPurificationRun(
            purifier: self, images: images, noise: noise, recording: recording, predict: predict)
    }

    private func chain(_ images: Tensor, recording: Bool, noise: inout PurifierNoise) -> Tensor {
        let run = makeDiffusionRun(images, noise: noise, recording: recording)
        while !run.isFinished { run.step() }
        noise = run.noise
        return run.output
    }
}
