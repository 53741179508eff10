import Base
import Models
import TensorCore

/// The settings of a purification defence (`defend purify`, `attack --defense`, `bench purify`) and how a
/// generative run becomes a `Purifier`: DDPM runs give DiffPure, DAE runs annealed Langevin, AE and VAE
/// runs the Defense-GAN projection. A setting left nil takes its default; one given for another kind of
/// run is refused, so a typo never silently does nothing.
public struct PurifierSettings: Sendable, Equatable {
    /// DDPM: how far the input is diffused, `t*` in 1 ... T (default T / 10).
    public var tStar: Int?
    /// DDPM: `ddpm` (every ancestral step back from t*, the default) or `ddim`.
    public var reverse: String?
    /// DDPM with `ddim`: the reverse steps (default 10).
    public var reverseSteps: Int?
    /// DAE: the lowest noise levels visited (default 3).
    public var levels: Int?
    /// DAE: Langevin steps per level (default 10); AE and VAE: Adam steps on the code (default 50)
    /// (`--purify-steps`).
    public var steps: Int?
    /// AE and VAE: starting codes (the encoder's, then random; default 4) (`--purify-restarts`).
    public var restarts: Int?

    public init(
        tStar: Int? = nil, reverse: String? = nil, reverseSteps: Int? = nil, levels: Int? = nil, steps: Int? = nil,
        restarts: Int? = nil
    ) {
        self.tStar = tStar
        self.reverse = reverse
        self.reverseSteps = reverseSteps
        self.levels = levels
        self.steps = steps
        self.restarts = restarts
    }

    /// The purifier of a generative run.
    /// - Parameter option: the option that named the run (`--with`), for errors.
    /// - Throws: `PurifierRequestError` (one line) for a missing run, a run that is not a generative model
    ///   that purifies, or a setting that does not fit it; `RunError` and the checkpoint's errors for a
    ///   config.json or model.safetensors that cannot be read.
    public func purifier(run: RunDirectory, option: String) throws -> any Purifier {
        guard run.exists else {
            throw PurifierRequestError(
                "\(optionLabel(option)): no run folder '\(run.path)'\(run.nameHint) (see 'manifold runs')")
        }
        let config = try run.readConfig()
        let name = config["model"]?.stringValue ?? ""
        let purifying: [GenerativeKind] = [.ddpm, .dae, .vae, .ae]
        guard let kind = GenerativeKind(rawValue: name), purifying.contains(kind) else {
            let message = RunKindMismatch.message(
                run: run.name, model: name, isNot: "a purifier", kinds: purifying.map(\.rawValue))
            throw PurifierRequestError("\(optionLabel(option)): \(message)")
        }
        try refuseForeign(kind)
        let model = try GenerativeFactory.load(run: run).model
        do {
            switch model {
            case let ddpm as DDPM:
                let tStar = self.tStar ?? max(1, ddpm.schedule.stepCount / 10)
                let reverse: DiffusionPurifier.Reverse =
                    (self.reverse ?? "ddpm") == "ddim" ? .ddim(steps: reverseSteps ?? min(10, tStar)) : .ddpm
                return try DiffusionPurifier(model: ddpm, tStar: tStar, reverse: reverse)
            case let dae as DenoisingAutoencoder:
                return try LangevinPurifier(
                    model: dae, levelCount: levels ?? min(3, dae.sigmas.count), stepsPerLevel: steps ?? 10)
            case let vae as VariationalAutoencoder:
                return try LatentProjectionPurifier(vae: vae, steps: steps ?? 50, restarts: restarts ?? 4)
            case let ae as Autoencoder:
                return try LatentProjectionPurifier(autoencoder: ae, steps: steps ?? 50, restarts: restarts ?? 4)
            default:
                throw PurifierError("a '\(kind.rawValue)' run cannot purify")
            }
        } catch let error as PurifierError {
            throw PurifierRequestError("\(optionLabel(option)), run '\(Sanitize.line(run.name))': \(error.description)")
        }
    }

    /// Refuses settings that belong to another kind of purifier.
    private func refuseForeign(_ kind: GenerativeKind) throws {
        var foreign: [String] = []
        if kind != .ddpm {
            if tStar != nil { foreign.append("--t-star") }
            if reverse != nil { foreign.append("--reverse") }
            if reverseSteps != nil { foreign.append("--reverse-steps") }
        }
        if kind != .dae, levels != nil { foreign.append("--levels") }
        if kind == .ddpm, steps != nil { foreign.append("--purify-steps") }
        if kind != .vae && kind != .ae, restarts != nil { foreign.append("--purify-restarts") }
        if let first = foreign.first {
            let owner: String
            switch first {
            case "--t-star", "--reverse", "--reverse-steps": owner = "DDPM runs (DiffPure)"
            case "--levels": owner = "DAE runs (Langevin)"
            case "--purify-restarts": owner = "AE and VAE runs (the latent projection)"
            default: owner = "DAE, AE and VAE runs"
            }
            throw PurifierRequestError("\(first) applies to \(owner), not to a \(kind.rawValue) purifier")
        }
        if let reverse, reverse != "ddpm", reverse != "ddim" {
            throw PurifierRequestError(
                "--reverse must be ddpm or ddim, got '\(Sanitize.line(reverse, limit: 40))'"
                    + SpellingSuggestion.hint(for: reverse, among: ["ddpm", "ddim"]))
        }
        if reverseSteps != nil, (reverse ?? "ddpm") != "ddim" {
            throw PurifierRequestError("--reverse-steps needs --reverse ddim (ddpm takes every step back from t*)")
        }
    }
}

/// A purifier that cannot be made as asked: a missing run, a run of a kind that does not purify, or a
/// setting that does not fit it (a usage error: the command line exits 2). A run whose files cannot be
/// read throws `RunError` instead (exit 1).
public struct PurifierRequestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
