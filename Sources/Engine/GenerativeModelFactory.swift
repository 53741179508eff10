import Base
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// The generative model kinds `train` knows besides the classifiers, with their settings, and how a
/// model is rebuilt from a run's `config.json` (for `--resume`, `sample` and `compare`).
public enum GenerativeKind: String, CaseIterable, Sendable {
    case pca, ae, vae, aae, wae, dae, ddpm

    public var defaultLatent: Int {
        switch self {
        case .pca, .ae: return 30
        case .vae: return 20
        case .aae, .wae: return 8
        case .dae, .ddpm: return 0
        }
    }

    /// Adam's learning rate. The aae's three-way game is unstable at 1e-3 on the synthetic digits
    /// (the JSD estimate swings below 0, decoded prior samples collapse to blobs); 3e-4 matches the
    /// prior. The ddpm keeps 2e-4: 1e-3 reaches its plateau faster on the synthetic digits but
    /// plateaus higher on Fashion-MNIST (test eps-MSE 0.185 against 0.156 after 6 epochs).
    public var defaultLearningRate: Double {
        switch self {
        case .aae: return 3e-4
        case .ddpm: return 2e-4
        default: return 1e-3
        }
    }

    public var defaultEpochs: Int {
        switch self {
        case .ddpm: return 10
        case .aae: return 8
        default: return 5
        }
    }
    public var usesLatent: Bool { defaultLatent > 0 }
}

/// Model-specific settings, stored in `config.json` beside the common keys.
public struct GenerativeSettings: Sendable {
    public var latent = 0
    public var prior = LatentPrior.gaussian
    public var penalty = WassersteinAutoencoder.Penalty.critic
    /// dae: the noise levels, largest first (the annealed Langevin sampler walks down them).
    public var sigmas: [Float] = [1.0, 0.6, 0.35, 0.2, 0.12, 0.07]
    public var importanceSamples = 10
    public var lambda: Double = 10
    public var clip: Double = 0.1
    /// ddpm: how the noise MLP sees the step. Runs saved before this setting existed have no 'net'
    /// key and load as `mlp`.
    public var network = DDPM.Network.mlpTime
    /// ddpm: decay of the weight average samplers use (0: none; absent in older runs).
    public var averageDecay = 0.999
    /// ddpm (U-Net): class-conditional, for classifier-free guidance (Ho & Salimans 2021); vae: the
    /// conditional VAE (Sohn et al. 2015). Recorded as `conditional` (absent in older runs: false).
    public var conditional = false
    /// ddpm, conditional: the probability of training a step's label as "no label" (`p_uncond`).
    public var unconditionalProbability = 0.1
    /// ddpm, vae, conditional: the number of classes, the dataset's (a run's `class_names`); not stored
    /// on its own.
    public var classCount = 0

    /// Adam's default learning rate for `kind` with these settings: the ddpm U-Net takes 1e-3
    /// (with GroupNorm it is stable there, and 3 Fashion-MNIST epochs at 1e-3 give recognisable
    /// samples), every other model its kind's default.
    public func defaultLearningRate(for kind: GenerativeKind) -> Double {
        kind == .ddpm && network == .unet ? 1e-3 : kind.defaultLearningRate
    }

    public func extra(for kind: GenerativeKind) -> [String: JSONValue] {
        var extra: [String: JSONValue] = [:]
        if kind.usesLatent { extra["latent"] = .integer(latent) }
        switch kind {
        case .vae:
            extra["iw"] = .integer(importanceSamples)
            extra["conditional"] = .bool(conditional)
        case .aae: extra["prior"] = .string(prior.rawValue)
        case .wae:
            extra["prior"] = .string(prior.rawValue)
            extra["penalty"] = .string(penalty.rawValue)
            extra["lambda"] = .number(lambda)
            if penalty == .critic { extra["clip"] = .number(clip) }
        case .dae: extra["sigmas"] = .array(sigmas.map { .number(Double($0)) })
        case .ddpm:
            extra["net"] = .string(network.rawValue)
            extra["ema"] = .number(averageDecay)
            extra["conditional"] = .bool(conditional)
            if conditional { extra["p_uncond"] = .number(unconditionalProbability) }
        case .pca, .ae: break
        }
        return extra
    }

    /// Settings read back from a run's config.
    public init(config: [String: JSONValue], kind: GenerativeKind, source: String) throws {
        if kind.usesLatent {
            guard let latent = config["latent"]?.integerValue, latent >= 1 else {
                throw RuntimeFault("\(source): no valid 'latent' setting")
            }
            self.latent = latent
        }
        if let text = config["prior"]?.stringValue {
            guard let prior = LatentPrior(rawValue: text) else {
                throw RuntimeFault("\(source): unknown prior '\(Sanitize.line(text))'")
            }
            self.prior = prior
        }
        if let text = config["penalty"]?.stringValue {
            guard let penalty = WassersteinAutoencoder.Penalty(rawValue: text) else {
                throw RuntimeFault("\(source): unknown penalty '\(Sanitize.line(text))'")
            }
            self.penalty = penalty
        }
        if let list = config["sigmas"]?.arrayValue {
            let values = list.compactMap { $0.doubleValue }.map(Float.init)
            guard !values.isEmpty, values.count == list.count,
                values.allSatisfy(DenoisingAutoencoder.sigmaRange.contains)
            else {
                throw RuntimeFault("\(source): 'sigmas' must be numbers from 0.001 to 100")
            }
            sigmas = values
        }
        if kind == .ddpm {
            if let text = config["net"]?.stringValue {
                guard let network = DDPM.Network(rawValue: text) else {
                    throw RuntimeFault(
                        "\(source): unknown ddpm network '\(Sanitize.line(text))' (known: \(DDPM.Network.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                self.network = network
            } else {
                network = .mlp
            }
            if let value = config["ema"] {
                guard let decay = value.doubleValue, decay >= 0, decay < 1 else {
                    throw RuntimeFault("\(source): 'ema' must be a number in [0, 1)")
                }
                averageDecay = decay
            } else {
                averageDecay = 0
            }
        }
        if kind == .ddpm || kind == .vae { try readConditioning(config, kind: kind, source: source) }
        if let iw = config["iw"]?.integerValue { importanceSamples = max(iw, 1) }
        if let lambda = config["lambda"]?.doubleValue { self.lambda = lambda }
        if let clip = config["clip"]?.doubleValue { self.clip = clip }
    }

    public init() {}

    /// ddpm, vae: `conditional`, ddpm's `p_uncond` and, for a conditional run, the class count from
    /// `class_names`.
    private mutating func readConditioning(_ config: [String: JSONValue], kind: GenerativeKind, source: String)
        throws
    {
        guard let value = config["conditional"] else { return }
        guard let flag = value.boolValue else { throw RuntimeFault("\(source): 'conditional' must be true or false") }
        conditional = flag
        guard flag else { return }
        if kind == .ddpm {
            if network != .unet { throw RuntimeFault("\(source): a conditional ddpm run must have net unet") }
            guard let probability = config["p_uncond"]?.doubleValue, probability >= 0, probability < 1 else {
                throw RuntimeFault("\(source): 'p_uncond' must be a number in [0, 1)")
            }
            unconditionalProbability = probability
        }
        guard let names = config["class_names"]?.arrayValue, names.count >= 1 else {
            throw RuntimeFault("\(source): a conditional run needs its 'class_names'")
        }
        classCount = names.count
    }

    /// The settings a new `kind` model trains with when none are given: its default latent size and the
    /// defaults above.
    public static func defaults(for kind: GenerativeKind) -> GenerativeSettings {
        var settings = GenerativeSettings()
        settings.latent = kind.defaultLatent
        return settings
    }
}

public enum GenerativeFactory {
    /// A freshly initialised trainable model (PCA is fitted separately); its optimizers come from
    /// `GenerativeTraining`. Throws when the images do not suit the model (the U-Net needs square images
    /// with a side divisible by 4).
    public static func make(
        _ kind: GenerativeKind, settings: GenerativeSettings, pixels: Int, generator: inout RandomGenerator
    ) throws -> any GenerativeModel {
        switch kind {
        case .ae:
            return Autoencoder(pixels: pixels, latent: settings.latent, generator: &generator)
        case .vae:
            if settings.conditional && settings.classCount < 1 {
                throw RuntimeFault("a conditional vae needs a dataset with classes")
            }
            let model = VariationalAutoencoder(
                pixels: pixels, latent: settings.latent, classCount: settings.conditional ? settings.classCount : 0,
                generator: &generator)
            model.importanceSamples = settings.importanceSamples
            return model
        case .aae:
            return AdversarialAutoencoder(
                pixels: pixels, latent: settings.latent, prior: settings.prior, generator: &generator)
        case .wae:
            return WassersteinAutoencoder(
                pixels: pixels, latent: settings.latent, prior: settings.prior, penalty: settings.penalty,
                lambda: Float(settings.lambda), clip: Float(settings.clip), generator: &generator)
        case .dae:
            return DenoisingAutoencoder(pixels: pixels, sigmas: settings.sigmas, generator: &generator)
        case .ddpm:
            if settings.network == .unet && !DDPM.unetSupports(pixels: pixels) {
                throw RuntimeFault(
                    "the ddpm U-Net needs \(DDPM.unetImageRequirement), got \(pixels) pixels")
            }
            if settings.conditional && (settings.network != .unet || settings.classCount < 1) {
                throw RuntimeFault("a class-conditional ddpm needs the U-Net and a dataset with classes")
            }
            return DDPM(
                pixels: pixels, network: settings.network, averageDecay: Float(settings.averageDecay),
                classCount: settings.conditional ? settings.classCount : 0,
                unconditionalProbability: Float(settings.unconditionalProbability), generator: &generator)
        case .pca: preconditionFailure("PCA is fitted, not trained step by step")
        }
    }

    /// Loads a trained generative run: its kind, settings, config and model with weights.
    public static func load(run: RunDirectory, latentOverride: Int? = nil) throws -> (
        kind: GenerativeKind, settings: GenerativeSettings, config: [String: JSONValue], model: any Module
    ) {
        guard run.exists else { throw MissingRun("no run folder '\(run.path)'\(run.nameHint) (see 'manifold runs')") }
        var config = try run.readConfig()
        let source = run.file("config.json")
        let name = config["model"]?.stringValue ?? ""
        guard let kind = GenerativeKind(rawValue: name) else {
            let mismatch = RunKindMismatch.message(
                run: run.name, model: name, isNot: "a generative model", kinds: GenerativeKind.allCases.map(\.rawValue))
            let message = "\(source): \(mismatch)"
            if RunKindMismatch.isKnown(name) { throw RunKindMismatch(message) }
            throw RuntimeFault(message)
        }
        // Before the settings are read: the override stands in for a config.json that lacks the size.
        if let latentOverride, kind.usesLatent { config["latent"] = .integer(latentOverride) }
        let settings = try GenerativeSettings(config: config, kind: kind, source: source)
        // Runs saved before images of other sizes have no 'pixels' (784); a value that is no positive whole
        // number is a damaged file, refused here: the samplers read it too, and a negative one trapped them.
        if let value = config["pixels"], (value.integerValue ?? 0) < 1 {
            throw RunError(
                "\(source): 'pixels' must be a positive whole number, got \(Sanitize.line(value.serialized(), limit: 40))"
            )
        }
        let pixels = config["pixels"]?.integerValue ?? 784
        // The image size the run recorded must give its pixels: a U-Net's weights do not grow with the pixels,
        // so the weight check below cannot see `"pixels": 100000000`, which made `sample` allocate 25.6 GB.
        if let height = config["image_height"]?.integerValue, let width = config["image_width"]?.integerValue,
            height.multipliedReportingOverflow(by: width) != (pixels, false)
        {
            throw RunError(
                "\(source): 'pixels' \(pixels) is not image_height x image_width (\(height) x \(width)); the config is damaged"
            )
        }
        // Sizes beyond these are no model's, and the weight bound below cannot overflow within them.
        guard pixels <= 1 << 31, settings.latent <= 1 << 31, settings.sigmas.count <= 1 << 31 else {
            throw RunError("\(source): implausible pixels, latent size or noise levels")
        }
        try RunCheckpoint.checkRoom(
            run: run, weights: settings.weightBound(kind: kind, pixels: pixels),
            sizes: "\(kind.rawValue) of \(pixels) pixels"
                + (kind.usesLatent ? ", code size \(settings.latent)" : "")
                + (settings.conditional ? ", \(settings.classCount) classes" : ""))
        var generator = RandomGenerator(seed: 0)
        let model: any Module
        if kind == .pca {
            model = PCA(components: settings.latent, features: pixels)
        } else {
            model = try make(kind, settings: settings, pixels: pixels, generator: &generator)
        }
        try RunCheckpoint.load(run: run, module: model)
        return (kind, settings, config, model)
    }
}
