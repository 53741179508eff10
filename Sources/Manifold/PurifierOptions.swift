import Attacks
import Base
import Engine

/// The options that choose and tune a purification defence, declared once for `defend purify`,
/// `attack --defense` and `bench purify`.
enum PurifierOptions {
    static let tStar = CommandOption<Int>.integer(
        "t-star", "T", default: nil, in: IntegerRange(1...), defaultText: "T/10, i.e. 100",
        help: "ddpm purifier: diffuse the input to step t* in 1..T, then run the chain back")
    static let reverse = CommandOption<String>.string(
        "reverse", "ddpm|ddim", help: "ddpm purifier: every ancestral step back from t* (ddpm, default) or DDIM steps")
    static let reverseSteps = CommandOption<Int>.integer(
        "reverse-steps", "S", default: nil, in: IntegerRange(1...), defaultText: "10",
        help: "ddpm purifier with --reverse ddim: DDIM steps from t* back to 0")
    static let levels = CommandOption<Int>.integer(
        "levels", "K", default: nil, in: IntegerRange(1...), defaultText: "3",
        help: "dae purifier: the K lowest noise levels of the DAE visited by annealed Langevin")
    static let steps = CommandOption<Int>.integer(
        "purify-steps", "N", default: nil, in: IntegerRange(0...100_000), defaultText: "dae 10, ae/vae 50",
        help: "dae purifier: Langevin steps per level; ae/vae purifier: Adam steps on the code")
    static let restarts = CommandOption<Int>.integer(
        "purify-restarts", "R", default: nil, in: IntegerRange(1...1000), defaultText: "4",
        help: "ae/vae purifier: starting codes (the encoder's, then random ones); the closest reconstruction wins")
    static let randomness = CommandOption<PurifierRandomness>.choice(
        "randomness", default: .fresh,
        help: "the purifier's noise: fresh draws at every call (evaluation sees noise the attack never saw) or "
            + "the same draws every call (fixed)")

    static let declarations = [
        tStar.declaration, reverse.declaration, reverseSteps.declaration, levels.declaration, steps.declaration,
        restarts.declaration, randomness.declaration,
    ]

    /// The purifier settings given on the command line (nil fields take the purifier's defaults).
    static func settings(_ parsed: ParsedArguments) throws -> PurifierSettings {
        PurifierSettings(
            tStar: try parsed.given(tStar), reverse: try parsed.given(reverse),
            reverseSteps: try parsed.given(reverseSteps), levels: try parsed.given(levels),
            steps: try parsed.given(steps), restarts: try parsed.given(restarts))
    }

    /// True when any purifier setting is on the command line (refused without a purifier).
    static func anyGiven(_ parsed: ParsedArguments) -> String? {
        declarations.map(\.name).first { parsed.isGiven($0) }
    }
}
