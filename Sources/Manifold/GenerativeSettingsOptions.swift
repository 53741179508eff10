import Base
import Engine
import Foundation
import Models

/// The generative models' own options of `train` (`--latent`, `--prior`, `--penalty`, `--sigmas`,
/// `--iw`, `--lambda`, `--clip`, `--net`, `--ema`, `--conditional`, `--p-uncond`), declared once with `GenerativeSettings`' defaults
/// and read into `GenerativeSettings`.
enum GenerativeSettingsOptions {
    static let defaults = GenerativeSettings()

    static let latent = CommandOption<Int>.integer(
        "latent", "K", default: nil, in: IntegerRange(1...4096), defaultText: "pca, ae 30; vae 20; aae, wae 8",
        help: "code size (pca, ae, vae, aae, wae)")
    static let prior = CommandOption<LatentPrior>.choice(
        "prior", default: defaults.prior, help: "the prior on the code (aae, wae)")
    static let penalty = CommandOption<WassersteinAutoencoder.Penalty>.choice(
        "penalty", default: defaults.penalty, help: "wae: a critic with weight clipping, or MMD")
    static let sigmas = CommandOption<[Float]>(
        "sigmas", kind: .list, placeholder: "S1,S2,..", default: defaults.sigmas,
        defaultText: defaults.sigmas.map { "\($0)" }.joined(separator: ","),
        help: "dae: noise levels, each 0.001 to 100 (noise-conditional when several)"
    ) { text throws(UsageError) in
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter(isDecimalNumber).compactMap {
            Float($0)
        }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy(DenoisingAutoencoder.sigmaRange.contains)
        else {
            throw UsageError(
                "option '--sigmas' needs numbers from 0.001 to 100 separated by commas, got '\(Sanitize.line(text))'")
        }
        return values
    }
    static let importanceSamples = CommandOption<Int>.integer(
        "iw", "K", default: defaults.importanceSamples, in: IntegerRange(1...10_000),
        help: "vae: samples of the IWAE bound")
    static let lambda = CommandOption<Double>.number(
        "lambda", default: defaults.lambda, in: 0...1e6, help: "wae: weight of the penalty")
    static let clip = CommandOption<Double>.number(
        "clip", default: defaults.clip, in: 0...100, excludingLower: true, help: "wae critic: weight clipping")
    static let network = CommandOption<DDPM.Network>.choice(
        "net", default: defaults.network, help: "ddpm: the noise predictor")
    static let averageDecay = CommandOption<Double>.number(
        "ema", "D", default: defaults.averageDecay, in: 0...0.999_999_9,
        help: "ddpm: decay of the weight average used for sampling (0: none)")
    static let conditional = CommandOption<Bool>.flag(
        "conditional",
        help: "ddpm --net unet: class-conditional, for classifier-free guidance (sample --class K --guidance W); "
            + "vae: the conditional VAE (sample prior --class K)")
    static let unconditionalProbability = CommandOption<Double>.number(
        "p-uncond", "P", default: defaults.unconditionalProbability, in: 0...0.999,
        help: "ddpm --conditional: probability of training a step's label as 'no label'")

    static let declarations = [
        latent.declaration, prior.declaration, penalty.declaration, sigmas.declaration,
        importanceSamples.declaration, lambda.declaration, clip.declaration, network.declaration,
        averageDecay.declaration, conditional.declaration, unconditionalProbability.declaration,
    ]

    /// Which models take each option other than `--latent` (which every model with a code takes).
    static let appliesTo: [String: Set<GenerativeKind>] = [
        "iw": [.vae], "prior": [.aae, .wae], "penalty": [.wae], "lambda": [.wae], "clip": [.wae],
        "sigmas": [.dae], "net": [.ddpm], "ema": [.ddpm], "conditional": [.ddpm, .vae], "p-uncond": [.ddpm],
    ]

    /// The settings given on the command line, which a resume checks against the run's.
    static func given(_ parsed: ParsedArguments) -> Set<String> {
        Set(
            [
                latent.name, prior.name, penalty.name, sigmas.name, importanceSamples.name, lambda.name, clip.name,
                network.name, averageDecay.name, conditional.name, unconditionalProbability.name,
            ].filter(parsed.isGiven))
    }

    /// The model settings given on the command line (`GenerativeSettings`' defaults where absent).
    /// - Parameter resume: a resume, whose settings not given come from config.json: the options that need
    ///   another (`--p-uncond` `--conditional`, `--conditional` `--net unet`, `--clip` the critic) are then
    ///   checked against the run's own by `TrainingPlan`, not against the defaults.
    static func settings(_ parsed: ParsedArguments, kind: GenerativeKind, resume: Bool = false) throws
        -> GenerativeSettings
    {
        for (option, kinds) in appliesTo.sorted(by: { $0.key < $1.key }) where parsed.isGiven(option) {
            guard kinds.contains(kind) else {
                throw UsageError("option '--\(option)' does not apply to '\(kind.rawValue)'")
            }
        }
        if parsed.isGiven(latent.name) && !kind.usesLatent {
            throw UsageError("option '--latent' does not apply to '\(kind.rawValue)'")
        }
        var settings = GenerativeSettings.defaults(for: kind)
        settings.latent = try parsed.value(latent, default: settings.latent)
        settings.prior = try parsed.value(prior)
        settings.penalty = try parsed.value(penalty)
        settings.sigmas = try parsed.value(sigmas)
        settings.importanceSamples = try parsed.value(importanceSamples)
        settings.lambda = try parsed.value(lambda)
        settings.clip = try parsed.value(clip)
        settings.network = try parsed.value(network)
        settings.averageDecay = try parsed.value(averageDecay)
        settings.conditional = parsed.has(conditional)
        settings.unconditionalProbability = try parsed.value(unconditionalProbability)
        guard !resume else { return settings }
        if kind == .ddpm && settings.conditional && settings.network != .unet {
            throw UsageError(
                "option '--conditional' needs '--net unet' (the MLP noise predictors take no class label)")
        }
        if parsed.isGiven(unconditionalProbability.name) && !settings.conditional {
            throw UsageError("option '--p-uncond' needs '--conditional'")
        }
        // MMD has no critic whose weights are clipped: the option did nothing without a word.
        if parsed.isGiven(clip.name) && settings.penalty != .critic {
            throw UsageError("option '--clip' applies to '--penalty critic' only (mmd clips nothing)")
        }
        return settings
    }
}
