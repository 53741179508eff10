import Attacks
import Base
import Engine

/// `attack METHOD --defense purify:GEN_RUN [--adaptive MODE]`: the attack aimed at a classifier behind a
/// purifier, in one of the adaptive modes of Athalye, Carlini & Wagner 2018 (`AdaptiveAttack`), and the
/// reported figures taken from a separate evaluation of the defended classifier (`PurifiedAttack`).
struct AttackDefenseSetup {
    static let defense = CommandOption<String>.string(
        "defense", "purify:GEN_RUN",
        help: "attack the classifier behind a purifier made from a generative run (ddpm, dae, vae, ae); the "
            + "figures are the defended classifier's")
    static let adaptive = CommandOption<AdaptiveAttack>(
        "adaptive", kind: .choice(AdaptiveAttack.attacks.map(\.rawValue)),
        placeholder: AdaptiveAttack.attacks.map(\.rawValue).joined(separator: "|"), default: .bpda,
        defaultText: "bpda",
        help: "with --defense: naive (attack the classifier alone), bpda (identity backward through the "
            + "purifier), bpda-eot (bpda, gradients averaged over --eot draws, default 8), full (autograd "
            + "through the purifier)"
    ) { text throws(UsageError) in
        guard let mode = AdaptiveAttack(rawValue: text), mode != .none else {
            throw UsageError(
                "option '--adaptive' must be naive, bpda, bpda-eot or full, got '\(Sanitize.line(text, limit: 40))'"
                    + SpellingSuggestion.hint(for: text, among: ["naive", "bpda", "bpda-eot", "full"]))
        }
        return mode
    }
    /// Methods that cannot run on a defended classifier: they take their own gradients (feature, lpa,
    /// ppgd) or attack another run (transfer).
    static let refusedMethods: Set<String> = ["feature", "lpa", "ppgd", "transfer"]
    static let declarations = [defense.declaration, adaptive.declaration] + PurifierOptions.declarations

    let attack: PurifiedAttack
    let mode: AdaptiveAttack
    let runName: String

    /// The setup from the command line, or nil without `--defense` (purifier options are then refused).
    static func parse(_ parsed: ParsedArguments, method: String, seed: UInt64) throws -> AttackDefenseSetup? {
        guard let text = try parsed.given(defense) else {
            if let name = PurifierOptions.anyGiven(parsed) ?? (parsed.isGiven(adaptive.name) ? adaptive.name : nil) {
                throw UsageError("'--\(name)' needs '--defense purify:GEN_RUN'")
            }
            return nil
        }
        guard text.hasPrefix("purify:"), text.count > "purify:".count else {
            throw UsageError(
                "option '--defense' must be purify:GEN_RUN (a ddpm, dae, vae or ae run), got '\(Sanitize.line(text, limit: 60))'"
            )
        }
        guard !refusedMethods.contains(method) else {
            throw UsageError("--defense does not apply to \(method); use a gradient or black-box attack such as pgd")
        }
        let runName = String(text.dropFirst("purify:".count))
        let purifier = try DefendCommand.loadPurifier(
            runName, option: "--defense", settings: try PurifierOptions.settings(parsed))
        let mode = try parsed.value(adaptive)
        // A black-box attack only reads the defended classifier's outputs: how gradients pass the purifier
        // changes nothing for it, so the modes that differ from bpda only there are refused.
        if AttackFactory.queryMethods.contains(method), mode == .bpdaEOT || mode == .full {
            throw UsageError(
                "'--adaptive \(mode.rawValue)' applies to gradient attacks; \(method) only queries the defended "
                    + "classifier (use bpda, the default, or naive)")
        }
        if parsed.isGiven("eot"), mode == .naive || mode == .bpda {
            throw UsageError("'--eot' with --defense applies to --adaptive bpda-eot and full, not \(mode.rawValue)")
        }
        let draws = parsed.isGiven("eot") ? try parsed.value(AttackCommand.Options.eot) : 8
        var attack = PurifiedAttack(
            purifier: purifier, randomness: try parsed.value(PurifierOptions.randomness), eotDraws: draws, seed: seed)
        if mode == .full { attack.fullDraws = parsed.isGiven("eot") ? draws : 1 }
        attack.name = "'--defense' run '\(Sanitize.line(runName, limit: 80))'"
        return AttackDefenseSetup(attack: attack, mode: mode, runName: runName)
    }

    /// The JSON fields describing the defence.
    var jsonFields: [String: JSONValue] {
        [
            "defense": .string("purify:\(runName)"), "purifier": .string(attack.purifier.summary),
            "adaptive": .string(mode.rawValue), "randomness": .string(attack.randomness.rawValue),
            "eot": .integer(attack.draws(for: mode)),
        ]
    }

    /// One line for the text report.
    var describe: String {
        let draws = attack.draws(for: mode)
        return "defended by \(attack.purifier.summary) (purify:\(runName)); adaptive attack \(mode.rawValue)"
            + (draws > 1 ? ", EOT over \(draws) draws" : "") + "; randomness \(attack.randomness.rawValue); "
            + "accuracies are the defended classifier's, evaluated after the attack"
    }
}
