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
        "seed for initialisation, data order and the synthetic digits (pca: the synthetic digits only)")
    static let run = CommandOption<String>.string(
        "run", "NAME", help: "run folder name under runs/ (default: MODEL-DATASET-DATE-TIME)")
    static let resume = CommandOption<Bool>.flag(
        "resume",
        help: "continue run NAME exactly where it stopped (its data and limits; its batch, lr and seed unless given)")

    // Classifiers only.
    static let adversarial = CommandOption<String>(
        "adversarial", kind: .choice(methods), placeholder: "METHOD", default: nil,
        help: "adversarial training against L-inf attacks of radius --eps: pgd (Madry et al. 2018, PGD examples, "
            + "--adv-steps steps of 2.5 eps / steps), fgsm-rs (Wong et al. 2020, FGSM of 1.25 eps from a random "
            + "start, one-cycle learning rate peaking at --lr, default 0.005), trades (Zhang et al. 2019, "
            + "CE + beta KL); each epoch measures FGSM and PGD accuracy on 256 training images"
    ) { text throws(UsageError) in
        guard methods.contains(text) else {
            throw UsageError(
                "option '--adversarial' must be \(OptionHelp.alternatives(methods)), got '\(Sanitize.line(text, limit: 40))'"
                    + SpellingSuggestion.hint(for: text, among: methods))
        }
        return text
    }
    static let methods = AdversarialTrainingSettings.Method.allCases.map(\.rawValue)
    static let eps = CommandOption<Double>.number(
        "eps", "E", default: 0.1, in: 0...1, excludingLower: true, help: "adversarial training: the L-inf radius")
    static let adversarialSteps = CommandOption<Int>.integer(
        "adv-steps", default: AdversarialTrainingSettings.defaultSteps, in: IntegerRange(1...1000),
        help: "adversarial training: PGD steps (pgd) or KL-ascent steps (trades)")
    static let beta = CommandOption<Double>.number(
        "beta", "B", default: Double(AdversarialTrainingSettings.defaultBeta), in: 0...1000, excludingLower: true,
        help: "trades: the weight of the KL term")
    static let earlyStopPGD = CommandOption<Bool>.flag(
        "early-stop-pgd",
        help: "adversarial training: keep the weights of the epoch with the best PGD accuracy on the training batch")

    static let noiseAware = CommandOption<Bool>.flag(
        "noise-aware",
        help: "train on diffused batches x_t at uniform random t (the DDPM's linear schedule, T 1000; no time "
            + "input), a classifier for 'sample ddpm|ddim --classifier-guidance' (Dhariwal & Nichol 2021)")

    static let network = CommandOption<Classifier.Architecture>.choice(
        "net", default: .standard,
        help: "cnn: standard, madry (Madry et al. 2018 MNIST model) or wong (Wong et al. 2020 MNIST model)")

    /// Options every model takes.
    static let common: [OptionDeclaration] = [
        SharedOptions.data.declaration, epochs.declaration, batch.declaration, learningRate.declaration,
        seed.declaration, run.declaration, resume.declaration, SharedOptions.threads.declaration,
        SharedOptions.json.declaration, SharedOptions.quiet.declaration, SharedOptions.trainLimit.declaration,
        SharedOptions.testLimit.declaration,
    ]
    static let classifier = [
        adversarial.declaration, eps.declaration, adversarialSteps.declaration, beta.declaration,
        earlyStopPGD.declaration, noiseAware.declaration,
    ]

    /// The options `model` takes (an option of another kind of model is an unknown option).
    static func options(for model: ModelKind?) -> [OptionDeclaration] {
        switch model {
        case .generative?: return common + GenerativeSettingsOptions.declarations
        default: return common + classifier + [network.declaration]
        }
    }

    /// `--net` as the help lists it: the CNN's architectures and the DDPM's networks share the name (each
    /// model parses its own, `options(for:)`).
    static let helpNetwork = OptionDeclaration(
        name: "net", kind: .string, placeholder: "NET",
        help: "cnn: \(Classifier.Architecture.allCases.map(\.rawValue).joined(separator: "|")) (default "
            + "\(Classifier.Architecture.standard.rawValue)); ddpm: the noise predictor, "
            + "\(DDPM.Network.allCases.map(\.rawValue).joined(separator: "|")) "
            + "(default \(GenerativeSettingsOptions.network.declaration.defaultText ?? ""))",
        defaultText: nil)

    static let declaration = CommandDeclaration(
        name: "train", arguments: "MODEL",
        summary: "train a model headless and save it as a run (models: \(ModelKind.allNames))",
        about: HelpText.train,
        options: common + classifier
            + GenerativeSettingsOptions.declarations.map { $0.name == helpNetwork.name ? helpNetwork : $0 },
        maxPositional: 1, choices: ("model", ModelKind.allCases.map(\.rawValue)))
}
