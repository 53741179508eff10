import Base
import Engine
import Models

/// The options of `train`, each declared once (name, range, default, help): the parser, `help train`
/// and the usage errors all read them. Defaults come from the Engine types that own them
/// (`TrainingPlan`, `ModelKind`, `GenerativeSettings`); an option left out stays nil in the
/// `TrainingRequest`, so a resume can take the run's value instead.
enum TrainOptions {
    static let epochs = CommandOption<Int>.integer(
        "epochs", default: nil, in: IntegerRange(1...10_000),
        defaultText: "\(ModelKind.classifier(.mlp).defaultEpochs); generative: 5, aae 8, ddpm 10",
        help: "epochs in total; with --resume, the total to reach")
    static let batch = CommandOption<Int>.integer(
        "batch", "B", default: nil, in: IntegerRange(1...65_536), defaultText: "\(TrainingPlan.defaultBatch)",
        help: "mini-batch size")
    static let learningRate = CommandOption<Double>.number(
        "lr", default: nil, in: 0...10, excludingLower: true, defaultText: "0.001; aae 0.0003, ddpm MLP 0.0002",
        help: "Adam's learning rate")
    static let seed = SharedOptions.seed.withDefault(nil, shown: "\(TrainingPlan.defaultSeed)").withHelp(
        "seed for initialisation, data order and the synthetic digits")
    static let run = CommandOption<String>.string(
        "run", "NAME", help: "run folder name under runs/ (default: MODEL-DATASET-DATE-TIME)")
    static let resume = CommandOption<Bool>.flag(
        "resume", help: "continue run NAME exactly where it stopped (its data, limits, batch, lr and seed)")

    // Classifiers only.
    static let adversarial = CommandOption<String>(
        "adversarial", kind: .choice(["pgd"]), placeholder: "pgd", default: nil,
        help: "adversarial training (Madry et al. 2018): every batch replaced by L-inf PGD examples against the "
            + "current model (random start, --adv-steps steps of 2.5 eps / steps)"
    ) { text throws(UsageError) in
        guard text == "pgd" else {
            throw UsageError("option '--adversarial' must be pgd, got '\(Sanitize.line(text, limit: 40))'")
        }
        return text
    }
    static let eps = CommandOption<Double>.number(
        "eps", "E", default: 0.1, in: 0...1, excludingLower: true, help: "adversarial training: the L-inf radius")
    static let adversarialSteps = CommandOption<Int>.integer(
        "adv-steps", default: 7, in: IntegerRange(1...1000), help: "adversarial training: PGD steps")

    /// Options every model takes.
    static let common: [OptionDeclaration] = [
        SharedOptions.data.declaration, epochs.declaration, batch.declaration, learningRate.declaration,
        seed.declaration, run.declaration, resume.declaration, SharedOptions.threads.declaration,
        SharedOptions.json.declaration, SharedOptions.quiet.declaration, SharedOptions.trainLimit.declaration,
        SharedOptions.testLimit.declaration,
    ]
    static let classifier = [adversarial.declaration, eps.declaration, adversarialSteps.declaration]

    /// The options `model` takes (an option of another kind of model is an unknown option).
    static func options(for model: ModelKind?) -> [OptionDeclaration] {
        switch model {
        case .generative?: return common + GenerativeSettingsOptions.declarations
        default: return common + classifier
        }
    }

    static let declaration = CommandDeclaration(
        name: "train", arguments: "MODEL",
        summary: "train a model headless and save it as a run (models: \(ModelKind.allNames))",
        about: HelpText.train, options: common + classifier + GenerativeSettingsOptions.declarations,
        maxPositional: 1)
}
