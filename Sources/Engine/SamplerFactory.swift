import Foundation
import Models
import NeuralNet
import TensorCore

/// The sampling methods of `manifold sample` and the workbench's sampling view, with the model kinds
/// each one needs.
public enum SamplingMethod: String, CaseIterable, Sendable {
    case prior, langevin
    case annealedLangevin = "annealed-langevin"
    case ddpm, ddim

    public var kinds: [GenerativeKind] {
        switch self {
        case .prior: return [.vae, .aae, .wae]
        case .langevin, .annealedLangevin: return [.dae]
        case .ddpm, .ddim: return [.ddpm]
        }
    }

    /// Steps when none are given: all T for ddpm, 50 for ddim, 100 per level for annealed Langevin,
    /// 200 for plain Langevin, none for prior sampling.
    public var defaultSteps: Int {
        switch self {
        case .prior: return 1
        case .ddim: return 50
        case .annealedLangevin: return 100
        case .langevin: return 200
        case .ddpm: return 1000
        }
    }
}

/// Method-specific sampling options (the `sample` command's flags).
public struct SamplingOptions: Sendable {
    /// Langevin step size (`epsilon`); nil: `0.05 sigma_L^2`.
    public var stepSize: Double?
    /// DDIM's `eta`.
    public var eta: Double
    /// DDPM's `sigma_t^2`.
    public var variance: DDPMSampler.Variance
    /// Clip the predicted `x_0` to [-1, 1] (ddpm, ddim).
    public var clip: Bool

    public init(
        stepSize: Double? = nil, eta: Double = 0, variance: DDPMSampler.Variance = .beta, clip: Bool = false
    ) {
        self.stepSize = stepSize
        self.eta = eta
        self.variance = variance
        self.clip = clip
    }
}

/// Builds step-machine samplers for trained models: the one code path behind `manifold sample` and
/// `SamplingExperiment`.
public enum SamplerFactory {
    /// Encoder (to codes), decoder (to images in [0, 1]) and latent size of a latent-variable model
    /// (vae: the posterior mean), or nil for models without a latent.
    public static func latentFunctions(_ model: any Module) -> (
        encode: (Tensor) -> Tensor, decode: (Tensor) -> Tensor, latent: Int
    )? {
        // The decoders' sigmoid through `DecodedPixels`: logits that overflow give NaN, not white or black.
        if let vae = model as? VariationalAutoencoder {
            return ({ vae.encode($0).mean }, { DecodedPixels.fromLogits(vae.decodeLogits($0)) }, vae.latentCount)
        }
        if let aae = model as? AdversarialAutoencoder {
            return ({ aae.encode($0) }, { DecodedPixels.fromLogits(aae.decoder($0)) }, aae.latentCount)
        }
        if let wae = model as? WassersteinAutoencoder {
            return ({ wae.encode($0) }, { DecodedPixels.fromLogits(wae.decoder($0)) }, wae.latentCount)
        }
        if let ae = model as? Autoencoder {
            return ({ ae.encode($0) }, { DecodedPixels.fromLogits(ae.decoder($0)) }, ae.latentCount)
        }
        if let pca = model as? PCA {
            return ({ pca.encode($0) }, { pca.decode($0) }, pca.componentCount)
        }
        return nil
    }

    /// The prior a latent-variable model's samples come from.
    public static func prior(of model: any Module) -> LatentPrior {
        (model as? AdversarialAutoencoder)?.prior ?? (model as? WassersteinAutoencoder)?.prior ?? .gaussian
    }

    /// A sampler of `count` images for `model`.
    /// - Parameters:
    ///   - steps: sampler steps (ddim: S; Langevin: steps per level); nil for the method's default.
    ///   - codes: for `prior`, decode these codes `[n, K]` (an interpolation) instead of prior samples.
    ///   - classes: on a class-conditional model (ddpm, ddim: a conditional DDPM; prior: a conditional
    ///     VAE), the class of each sample (`count` of them, or one per code); nil samples without a label.
    ///   - guidance: ddpm, ddim with `classes`: the classifier-free guidance strength `w` (Ho & Salimans 2021).
    ///   - classifierGuidance: ddpm, ddim on any DDPM run (conditional or not): classifier guidance
    ///     (Dhariwal & Nichol 2021), one label per sample.
    /// - Throws: `RuntimeFault` when the method does not fit the model or the steps are out of range.
    public static func make(
        method: SamplingMethod, model: any Module, pixels: Int, count: Int, steps: Int? = nil, seed: UInt64,
        options: SamplingOptions = SamplingOptions(), codes: Tensor? = nil, classes: [Int]? = nil, guidance: Double = 0,
        classifierGuidance: ClassifierGuidance? = nil
    ) throws -> any Sampler {
        if let classifierGuidance {
            guard model is DDPM, method == .ddpm || method == .ddim else {
                throw RuntimeFault("classifier guidance needs a ddpm run sampled with ddpm or ddim")
            }
            guard classifierGuidance.labels.count == count else {
                throw RuntimeFault(
                    "classifier guidance: \(classifierGuidance.labels.count) labels for \(count) samples")
            }
        }
        var ddpmGuidance: ClassifierFreeGuidance?
        if let classes {
            let conditional = (model as? any ClassConditionalModel)?.classCount ?? 0
            let forDDPM = model is DDPM && (method == .ddpm || method == .ddim)
            guard conditional > 0, forDDPM || (model is VariationalAutoencoder && method == .prior) else {
                throw RuntimeFault("a class to sample needs a class-conditional ddpm (ddpm, ddim) or vae (prior) run")
            }
            guard classes.count == (codes?.shape[0] ?? count), classes.allSatisfy({ (0..<conditional).contains($0) })
            else {
                throw RuntimeFault("sampling: \(classes.count) class labels for \(codes?.shape[0] ?? count) samples")
            }
            if forDDPM { ddpmGuidance = ClassifierFreeGuidance(labels: classes, weight: guidance) }
        } else if guidance != 0 {
            throw RuntimeFault("classifier-free guidance needs a class to sample")
        }
        var generator = RandomGenerator(seed: seed)
        let steps = steps ?? method.defaultSteps
        guard steps >= 1 else { throw RuntimeFault("sampling needs at least one step") }
        switch method {
        case .prior:
            guard let (_, unlabelled, latent) = latentFunctions(model), !(model is PCA), !(model is Autoencoder) else {
                throw RuntimeFault("prior sampling needs a vae, aae or wae model")
            }
            var decode = unlabelled
            if let classes, let vae = model as? VariationalAutoencoder {
                decode = { DecodedPixels.fromLogits(vae.decodeLogits($0, labels: classes)) }
            }
            if let codes { return PriorSampler(codes: codes, decode: decode) }
            return PriorSampler(
                prior: prior(of: model), count: count, latent: latent, generator: &generator, decode: decode)
        case .langevin, .annealedLangevin:
            guard let dae = model as? DenoisingAutoencoder else {
                throw RuntimeFault("\(method.rawValue) sampling needs a dae model")
            }
            let order = dae.sigmas.enumerated().sorted { $0.element > $1.element }.map {
                (sigma: $0.element, level: $0.offset)
            }
            let ladder = method == .langevin ? [order[order.count - 1]] : order
            let last = ladder[ladder.count - 1].sigma
            let epsilon = Float(options.stepSize ?? Double(0.05 * last * last))
            guard epsilon.isNormal, epsilon > 0 else {
                throw RuntimeFault("the Langevin step size \(epsilon) is not a positive float (sigma \(last))")
            }
            let start = Tensor.randomUniform([count, pixels], low: 0, high: 1, generator: &generator)
            return LangevinSampler(
                start: start, ladder: ladder, stepsPerLevel: steps, epsilon: epsilon, seed: seed &+ 1
            ) { x, level in
                dae.score(x, level: level)
            }
        case .ddpm:
            guard let ddpm = model as? DDPM else { throw RuntimeFault("ddpm sampling needs a ddpm model") }
            let sampler = DDPMSampler(
                count: count, pixels: pixels, schedule: ddpm.schedule, variance: options.variance, clip: options.clip,
                seed: seed, predictNoise: ddpm.makeSamplingPredictor(guidance: ddpmGuidance))
            sampler.classifierGuidance = classifierGuidance
            return sampler
        case .ddim:
            guard let ddpm = model as? DDPM else { throw RuntimeFault("ddim sampling needs a ddpm model") }
            guard steps <= ddpm.schedule.stepCount else {
                throw RuntimeFault("'--steps' for ddim must be at most T = \(ddpm.schedule.stepCount)")
            }
            let sampler = DDIMSampler(
                count: count, pixels: pixels, schedule: ddpm.schedule, steps: steps, eta: options.eta,
                clip: options.clip, seed: seed, predictNoise: ddpm.makeSamplingPredictor(guidance: ddpmGuidance))
            sampler.classifierGuidance = classifierGuidance
            return sampler
        }
    }

    /// Maps an iterate of `method` to images in [0, 1] (diffusion space [-1, 1]; Langevin and decoded
    /// images are clamped).
    public static func modelSpaceToUnit(_ method: SamplingMethod) -> @Sendable (Float) -> Float {
        switch method {
        case .ddpm, .ddim: return { min(max(($0 + 1) / 2, 0), 1) }
        case .prior, .langevin, .annealedLangevin: return { min(max($0, 0), 1) }
        }
    }
}
