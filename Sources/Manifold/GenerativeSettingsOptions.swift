import Base
import Engine
import Models

/// The generative models' own options of `train` (`--latent`, `--prior`, `--penalty`, `--sigmas`,
/// `--iw`, `--lambda`, `--clip`, `--net`, `--ema`), read into `GenerativeSettings`, whose defaults they
/// keep where not given.
enum GenerativeSettingsOptions {
    static let valueOptions: Set<String> = ["latent", "prior", "penalty", "sigmas", "iw", "lambda", "clip", "net", "ema"]

    /// Which of the given settings a resume checks against the run's (the others are the run's).
    static func given(_ parsed: ParsedArguments) -> Set<String> {
        Set(["latent", "net", "ema"].filter { parsed.string($0) != nil })
    }

    /// The model settings given on the command line (defaults where absent).
    static func settings(_ parsed: ParsedArguments, kind: GenerativeKind) throws -> GenerativeSettings {
        var settings = GenerativeSettings.defaults(for: kind)
        let allowed: [GenerativeKind: Set<String>] = [
            .vae: ["iw"], .aae: ["prior"], .wae: ["prior", "penalty", "lambda", "clip"], .dae: ["sigmas"],
            .ddpm: ["net", "ema"],
        ]
        for option in ["iw", "prior", "penalty", "lambda", "clip", "sigmas", "net", "ema"]
        where parsed.string(option) != nil {
            guard allowed[kind, default: []].contains(option) else {
                throw UsageError("option '--\(option)' does not apply to '\(kind.rawValue)'")
            }
        }
        if kind.usesLatent {
            settings.latent = try parsed.integer("latent", default: settings.latent, in: 1...4096)
        } else if parsed.string("latent") != nil {
            throw UsageError("option '--latent' does not apply to '\(kind.rawValue)'")
        }
        if let text = parsed.string("prior") {
            guard let prior = LatentPrior(rawValue: text) else {
                throw UsageError(
                    "option '--prior' must be one of \(LatentPrior.allCases.map(\.rawValue).joined(separator: ", ")), got '\(Sanitize.line(text))'"
                )
            }
            settings.prior = prior
        }
        if let text = parsed.string("penalty") {
            guard let penalty = WassersteinAutoencoder.Penalty(rawValue: text) else {
                throw UsageError("option '--penalty' must be critic or mmd, got '\(Sanitize.line(text))'")
            }
            settings.penalty = penalty
        }
        if let text = parsed.string("net") {
            guard let network = DDPM.Network(rawValue: text) else {
                throw UsageError(
                    "option '--net' must be one of \(DDPM.Network.allCases.map(\.rawValue).joined(separator: ", ")), got '\(Sanitize.line(text))'"
                )
            }
            settings.network = network
        }
        settings.averageDecay = try parsed.number("ema", default: settings.averageDecay, in: 0...0.999_999_9)
        settings.importanceSamples = try parsed.integer("iw", default: settings.importanceSamples, in: 1...10_000)
        settings.lambda = try parsed.number("lambda", default: settings.lambda, in: 0...1e6)
        settings.clip = try parsed.number("clip", default: settings.clip, in: 0...100, excludingLower: true)
        if let text = parsed.string("sigmas") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            let values = parts.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 > 0 && $0.isFinite && $0 <= 100 })
            else {
                throw UsageError(
                    "option '--sigmas' needs positive numbers separated by commas, got '\(Sanitize.line(text))'")
            }
            settings.sigmas = values
        }
        return settings
    }
}
