import Base
import Datasets
import Foundation
import Models
import SafeTensors

/// A training run resolved before any slow work: which run folder, the full recipe (every default
/// filled in, from the model for a new run or from `config.json` for a resume) and how many epochs are
/// done. Making a plan reads at most the run's config, so a bad request fails at once; `TrainingSession`
/// then loads the data and the model.
///
/// The rules of a resume live here alone: the run's model must be the one asked for; `epochs_done` is a
/// whole number from 0 to 1,000,000; batch, learning rate, seed, data and the train/test counts are the
/// run's unless given; the generative settings are the run's, and one given that differs is an error;
/// the epochs asked for must be more than those done; an fgsm-rs run keeps its batch, and a run that
/// `--early-stop-pgd` finished on an earlier epoch is not resumed (its weights are not the last epoch's).
public struct TrainingPlan: Sendable {
    public let run: RunDirectory
    public let model: ModelKind
    public let data: String
    /// The number of training and test images to keep (nil: all the dataset has).
    public let trainLimit: Int?
    public let testLimit: Int?
    public let epochs: Int
    public let batch: Int
    public let learningRate: Double
    public let seed: UInt64
    public let settings: GenerativeSettings
    /// Adversarial training of a classifier (nil: standard training). For `fgsm-rs` its schedule spans
    /// the new run's epochs, and a resume may not go past them.
    public let adversarial: AdversarialTrainingSettings?
    /// A classifier's architecture (`standard` for the MLP and the plain CNN).
    public let architecture: Classifier.Architecture
    /// A classifier trained on diffused batches for classifier guidance (`NoiseAwareObjective`).
    public let noiseAware: Bool
    /// Epochs the run had done before this training (0 for a new run).
    public let completedEpochs: Int
    public let isResume: Bool
    /// The saved run's creation time (a resume keeps it).
    let created: String?
    /// A resume's `--train-limit` / `--test-limit` given above the run's counts: taken when the data has no
    /// more images than the run's count (the limit then gives that count), which `checkGivenLimits` checks
    /// once the data is loaded.
    var limitsAboveCounts: (train: Int?, test: Int?) = (nil, nil)

    /// The batch size of a run when none is given.
    public static let defaultBatch = 128
    /// The seed of a run when none is given.
    public static let defaultSeed: UInt64 = 0

    /// The peak learning rate of fast adversarial training when none is given (Wong et al. 2020's
    /// `lr_max` for MNIST with Adam).
    public static let fastFGSMPeakLearningRate = 5e-3

    /// The default learning rate of `model` with `settings` (and adversarial training's method).
    public static func defaultLearningRate(
        _ model: ModelKind, settings: GenerativeSettings, adversarial: AdversarialTrainingSettings? = nil
    ) -> Double {
        switch model {
        case .classifier: return adversarial?.method == .fastFGSM ? fastFGSMPeakLearningRate : 1e-3
        case .generative(let kind): return settings.defaultLearningRate(for: kind)
        }
    }

    /// A new run in `run`, which must not hold a run already.
    public static func new(_ request: TrainingRequest, run: RunDirectory) throws -> TrainingPlan {
        if run.exists && FileManager.default.fileExists(atPath: run.file("config.json")) {
            throw RunError("run '\(run.path)' exists already; use --resume to continue it or pick another --run name")
        }
        let epochs = request.epochs ?? request.model.defaultEpochs
        var adversarial = request.adversarial
        if adversarial != nil, case .generative(let kind) = request.model {
            throw TrainingRequestError("adversarial training is for classifiers (mlp, cnn), not '\(kind.rawValue)'")
        }
        if adversarial?.method == .fastFGSM { adversarial?.scheduleEpochs = epochs }
        try checkNoiseAware(request, adversarial: adversarial)
        if case .generative(let kind) = request.model, kind == .aae || kind == .wae {
            try checkPrior(request.settings)
        }
        try checkArchitecture(request)
        let architecture = request.architecture ?? .standard
        return TrainingPlan(
            run: run, model: request.model, data: request.data ?? "synthetic", trainLimit: request.trainLimit,
            testLimit: request.testLimit, epochs: epochs, batch: request.batch ?? defaultBatch,
            learningRate: request.learningRate
                ?? defaultLearningRate(request.model, settings: request.settings, adversarial: adversarial),
            seed: request.seed ?? defaultSeed, settings: request.settings, adversarial: adversarial,
            architecture: architecture, noiseAware: request.noiseAware, completedEpochs: 0, isResume: false,
            created: nil)
    }

    /// Continues the run in `run` exactly where its last saved epoch left it.
    public static func resume(_ request: TrainingRequest, run: RunDirectory) throws -> TrainingPlan {
        guard request.model.canResume else {
            throw TrainingRequestError("'\(request.model.rawValue)' is fitted in one pass; there is nothing to resume")
        }
        guard run.exists else {
            throw MissingRun("no run folder '\(run.path)' to resume\(run.nameHint) (see 'manifold runs')")
        }
        guard FileManager.default.fileExists(atPath: run.file("config.json")) else {
            if let holder = RunLock.holder(of: run) {
                throw RunError(
                    "run '\(run.path)' is being trained by \(holder) and has no saved epoch yet; wait for it to finish")
            }
            throw RunError("run '\(run.path)' has no saved epoch (no config.json); train it without --resume")
        }
        let config = try run.readConfig()
        let source = run.file("config.json")
        let saved = config["model"]?.stringValue ?? ""
        guard saved == request.model.rawValue else {
            let wanted = request.model.rawValue
            let mismatch = RunKindMismatch.message(
                run: run.name, model: saved, isNot: "a run of 'train \(wanted)'", kinds: [wanted])
            let message = "\(source): \(mismatch)"
            if RunKindMismatch.isKnown(saved) { throw RunKindMismatch(message) }
            throw RunError(message)
        }
        let done = try epochsDone(config, source: source)
        try checkKeptEpoch(config, done: done, source: source)
        var settings = request.settings
        if case .generative(let kind) = request.model {
            settings = try GenerativeSettings(config: config, kind: kind, source: source)
            try checkAgreement(request, saved: settings, source: source)
        }
        let savedBatch = config["batch"]?.integerValue.flatMap { (1...65_536).contains($0) ? $0 : nil }
        let savedRate = config["lr"]?.doubleValue.flatMap { $0 > 0 && $0 <= 10 ? $0 : nil }
        // A saved value that is there but unusable must not quietly become the default: the resume
        // would not continue the run as it was trained.
        func shown(_ value: JSONValue) -> String { Sanitize.line(value.serialized(), limit: 40) }
        if request.batch == nil, let value = config["batch"], savedBatch == nil {
            throw RunError(
                "\(source): batch must be a whole number from 1 to 65536, got \(shown(value)) (or pass --batch)")
        }
        if request.learningRate == nil, let value = config["lr"], savedRate == nil {
            throw RunError("\(source): lr must be a number in (0, 10], got \(shown(value)) (or pass --lr)")
        }
        // `poison` trains on a poisoned set that a resume would not rebuild: it would go on with clean labels
        // and drop the run's poison record.
        if let poison = config["poison"] {
            let method = poison["method"]?.stringValue.map { " " + Sanitize.line($0, limit: 20) } ?? ""
            throw RunError(
                "\(source): run was trained by 'poison\(method)', which a resume would continue on clean labels; train a new one with 'poison' and more --epochs"
            )
        }
        let savedSeed = config["seed"]?.stringValue.flatMap { UInt64($0) }
        let epochs: Int
        switch request.model {
        case .classifier: epochs = request.epochs ?? 1
        case .generative(let kind): epochs = request.epochs ?? max(kind.defaultEpochs, done + 1)
        }
        if done >= epochs {
            throw TrainingRequestError(
                "run '\(run.path)' has done \(done) epochs already; pass --epochs above \(done)")
        }
        let data = try savedData(config, request: request, source: source)
        // The seed draws the synthetic digits: another one would train the rest of the run on other images.
        if let asked = request.seed, asked != savedSeed ?? defaultSeed, DatasetLoader.isSeeded(data) {
            throw RunError(
                "\(source): run's synthetic digits were drawn with seed \(savedSeed ?? defaultSeed); --seed \(asked) would "
                    + "draw other images (leave --seed out to resume as it was, or train a new run)")
        }
        let limits = try savedLimits(config, request: request, source: source)
        func above(_ asked: Int?, _ saved: Int?) -> Int? {
            guard let asked, let saved, asked > saved else { return nil }
            return asked
        }
        let adversarial = try savedAdversarial(
            config, request: request, epochs: epochs, batch: config["batch"] == nil ? defaultBatch : savedBatch,
            source: source)
        let noiseAware = try NoiseAwareObjective.recorded(in: config, source: source)
        if request.noiseAware && !noiseAware {
            throw RunError("\(source): run was trained without --noise-aware (leave it out to resume as it was)")
        }
        try checkArchitecture(request)
        let architecture = Classifier.Architecture.of(config)
        if let asked = request.architecture, asked != architecture {
            throw RunError("\(source): run has network \(architecture.rawValue), not \(asked.rawValue)")
        }
        return TrainingPlan(
            run: run, model: request.model, data: data, trainLimit: limits.train, testLimit: limits.test,
            epochs: epochs,
            batch: request.batch ?? savedBatch ?? defaultBatch,
            learningRate: request.learningRate ?? savedRate ?? defaultLearningRate(request.model, settings: settings),
            seed: request.seed ?? savedSeed ?? defaultSeed, settings: settings, adversarial: adversarial,
            architecture: architecture, noiseAware: noiseAware, completedEpochs: done, isResume: true,
            created: config["created"]?.stringValue,
            limitsAboveCounts: (above(request.trainLimit, limits.train), above(request.testLimit, limits.test)))
    }

    /// Checks a resume's limits given above the run's counts against the data's own counts: a limit that
    /// gives the run's count (the data has no more images than that) is the run's, one that gives more
    /// would change its images.
    /// - Throws: `RunError` naming config.json.
    public func checkGivenLimits(dataTrainCount: Int, dataTestCount: Int) throws {
        for (asked, saved, available, split) in [
            (limitsAboveCounts.train, trainLimit, dataTrainCount, "train"),
            (limitsAboveCounts.test, testLimit, dataTestCount, "test"),
        ] {
            guard let asked, let saved, min(asked, available) != min(saved, available) else { continue }
            throw RunError(
                "\(run.file("config.json")): run was trained with \(saved) \(split) images; --\(split)-limit \(asked) would change them"
            )
        }
    }

    /// A run's `epochs_done`: a whole number from 0 to 1,000,000, else the config is refused (a negative,
    /// fractional or textual count would silently restart or skip training).
    public static func epochsDone(_ config: [String: JSONValue], source: String) throws -> Int {
        guard let done = config["epochs_done"]?.integerValue, (0...1_000_000).contains(done) else {
            let shown =
                config["epochs_done"].map { "got " + Sanitize.line($0.serialized(), limit: 40) } ?? "it is missing"
            throw RunError("\(source): epochs_done must be a whole number from 0 to 1000000, \(shown)")
        }
        return done
    }

    /// A run that `--early-stop-pgd` finished on an earlier epoch K (`early_stop_pgd`'s `kept_epoch` below
    /// `epochs_done`) holds epoch K's weights beside the last epoch's optimizer state and metrics: resumed, it
    /// went on from K's weights labelled as the epochs after the last, unlike an uninterrupted run. Refused;
    /// a run that kept its last epoch, or one stopped before it finished (no keep yet), resumes exactly.
    private static func checkKeptEpoch(_ config: [String: JSONValue], done: Int, source: String) throws {
        guard let kept = config["early_stop_pgd"]?["kept_epoch"]?.integerValue, kept < done else { return }
        throw RunError(
            "\(source): the weights are epoch \(kept)'s, kept by --early-stop-pgd, not epoch \(done)'s, so training cannot go on exactly (train a new run with more --epochs)"
        )
    }

    /// The run's adversarial training (`config.json`'s `adversarial`): a resume trains the same way. Settings
    /// given that differ are an error, and so is a fast-FGSM resume past the epochs its cyclic learning
    /// rate spans, or with a `--batch` other than the run's `batch`: the schedule is counted in steps of
    /// the run's batch, so another one would index it wrongly (a larger batch ran the rest at lr 0).
    /// `batch` is nil when config.json's is unusable (then the `--batch` given stands for it).
    private static func savedAdversarial(
        _ config: [String: JSONValue], request: TrainingRequest, epochs: Int, batch: Int?, source: String
    ) throws -> AdversarialTrainingSettings? {
        let saved = try AdversarialTrainingSettings(config: config, source: source)
        let differ = RunError(
            "\(source): run was trained with \(saved.map { "--adversarial \($0.method.rawValue)" } ?? "no --adversarial"); the adversarial options given differ (leave them out to resume as it was)"
        )
        if var asked = request.adversarial {
            asked.scheduleEpochs = saved?.scheduleEpochs
            if let saved, let given = request.givenAdversarial, asked.method == saved.method {
                if !given.contains("eps") { asked.epsilon = saved.epsilon }
                if !given.contains("adv-steps") { asked.steps = saved.steps }
                if !given.contains("beta") { asked.beta = saved.beta }
                if !given.contains("early-stop-pgd") { asked.earlyStopPGD = saved.earlyStopPGD }
            }
            guard asked == saved else { throw differ }
        }
        // Options given without the method (`--resume --eps 0.1`) are checked against the run's as well.
        if let options = request.adversarialOnResume, saved.map(options.agree) != true { throw differ }
        if let scheduleEpochs = saved?.scheduleEpochs, epochs > scheduleEpochs {
            throw TrainingRequestError(
                "the cyclic learning rate of this fgsm-rs run spans \(scheduleEpochs) epochs; it cannot be resumed past them (asked for --epochs \(epochs))"
            )
        }
        if saved?.scheduleEpochs != nil, let batch, let asked = request.batch, asked != batch {
            throw RunError(
                "\(source): run was trained with --batch \(batch); the one-cycle learning rate of this fgsm-rs run is counted in steps of that batch, so --batch \(asked) would break it (leave --batch out to resume as it was)"
            )
        }
        return saved
    }

    /// `--net` picks a CNN's architecture: any given to another model is refused, `standard` too, as every
    /// model refuses an option it does not take.
    private static func checkArchitecture(_ request: TrainingRequest) throws {
        guard let asked = request.architecture, request.model != .classifier(.cnn) else { return }
        throw TrainingRequestError(
            "option '--net' does not apply to '\(request.model.rawValue)' ('--net \(asked.rawValue)' is a CNN architecture; it needs 'train cnn')"
        )
    }

    /// The mixture and ring priors draw their 2-D shape in the first two code coordinates (`LatentPrior`):
    /// with a 1-D code they would quietly be the Gaussian.
    private static func checkPrior(_ settings: GenerativeSettings) throws {
        guard settings.prior != .gaussian, settings.latent < 2 else { return }
        throw TrainingRequestError(
            "'--prior \(settings.prior.rawValue)' is a 2-D shape in the first two code coordinates; it needs '--latent' 2 or more, got \(settings.latent)"
        )
    }

    /// Noise-aware training is for classifiers, and replaces the batch as adversarial training does, so
    /// the two do not combine.
    private static func checkNoiseAware(_ request: TrainingRequest, adversarial: AdversarialTrainingSettings?) throws {
        guard request.noiseAware else { return }
        if case .generative(let kind) = request.model {
            throw TrainingRequestError("'--noise-aware' is for classifiers (mlp, cnn), not '\(kind.rawValue)'")
        }
        if adversarial != nil {
            throw TrainingRequestError(
                "'--noise-aware' and '--adversarial' both replace the training batch; pick one")
        }
    }

    /// The settings given explicitly must be the run's: each model option a resume is given is checked, none
    /// is silently replaced by the run's.
    private static func checkAgreement(_ request: TrainingRequest, saved: GenerativeSettings, source: String) throws {
        let asked = request.settings
        if request.givenSettings.contains("latent") && saved.latent != asked.latent {
            throw RunError("\(source): run has latent size \(saved.latent), not \(asked.latent)")
        }
        if request.givenSettings.contains("prior") && saved.prior != asked.prior {
            throw RunError("\(source): run has prior \(saved.prior.rawValue), not \(asked.prior.rawValue)")
        }
        if request.givenSettings.contains("penalty") && saved.penalty != asked.penalty {
            throw RunError("\(source): run has penalty \(saved.penalty.rawValue), not \(asked.penalty.rawValue)")
        }
        if request.givenSettings.contains("lambda") && saved.lambda != asked.lambda {
            throw RunError("\(source): run has penalty weight lambda \(saved.lambda), not \(asked.lambda)")
        }
        if request.givenSettings.contains("clip") && saved.penalty != .critic {
            throw RunError(
                "\(source): run has penalty \(saved.penalty.rawValue), which clips nothing (leave --clip out)")
        }
        if request.givenSettings.contains("clip") && saved.clip != asked.clip {
            throw RunError("\(source): run has clip \(saved.clip), not \(asked.clip)")
        }
        if request.givenSettings.contains("sigmas") && saved.sigmas != asked.sigmas {
            func shown(_ sigmas: [Float]) -> String { sigmas.map { "\($0)" }.joined(separator: ",") }
            throw RunError("\(source): run has noise levels \(shown(saved.sigmas)), not \(shown(asked.sigmas))")
        }
        if request.givenSettings.contains("iw") && saved.importanceSamples != asked.importanceSamples {
            throw RunError(
                "\(source): run has \(saved.importanceSamples) importance samples (--iw), not \(asked.importanceSamples)"
            )
        }
        if request.givenSettings.contains("net") && saved.network != asked.network {
            throw RunError("\(source): run has network \(saved.network.rawValue), not \(asked.network.rawValue)")
        }
        if request.givenSettings.contains("ema") && saved.averageDecay != asked.averageDecay {
            throw RunError("\(source): run has weight-average decay \(saved.averageDecay), not \(asked.averageDecay)")
        }
        if request.givenSettings.contains("conditional") && saved.conditional != asked.conditional {
            throw RunError("\(source): run is \(saved.conditional ? "" : "not ")class-conditional")
        }
        if request.givenSettings.contains("p-uncond")
            && (!saved.conditional || saved.unconditionalProbability != asked.unconditionalProbability)
        {
            throw RunError(
                "\(source): run has \(saved.conditional ? "p_uncond \(saved.unconditionalProbability)" : "no class conditioning"), not --p-uncond \(asked.unconditionalProbability)"
            )
        }
    }

    /// The run's data (`config.json`'s `data`): a resume trains on the same images, so a `--data` naming
    /// other data is refused (its images would be cut to the run's counts, as if those were limits). The
    /// same folder spelled another way is the same data, and so is any folder given for a saved folder that
    /// is gone (moved elsewhere).
    private static func savedData(_ config: [String: JSONValue], request: TrainingRequest, source: String) throws
        -> String
    {
        let saved = config["data"]?.stringValue ?? "synthetic"
        guard let asked = request.data else { return saved }
        if isSameData(asked, saved) { return asked }
        throw RunError(
            "\(source): run was trained on '\(Sanitize.line(saved))'; --data \(Sanitize.line(asked)) would change its images (leave --data out to resume as it was, or train a new run)"
        )
    }

    /// Whether two `--data` values name the same images: the same name (`synthetic`, `fashion`), or folders
    /// that are one (or a saved folder `saved` that no longer exists).
    public static func isSameData(_ asked: String, _ saved: String) -> Bool {
        let names = ["synthetic", "fashion"]
        let (asked, saved) = (asked.isEmpty ? "synthetic" : asked, saved.isEmpty ? "synthetic" : saved)
        if asked == saved { return true }
        if names.contains(asked) || names.contains(saved) { return false }
        guard let savedFolder = realpath(saved, nil) else { return true }
        defer { free(savedFolder) }
        guard let askedFolder = realpath(asked, nil) else { return false }
        defer { free(askedFolder) }
        return strcmp(savedFolder, askedFolder) == 0
    }

    /// The train and test counts the run was trained with (`train_count`, `test_count`): a resume
    /// trains and evaluates on the same images. A limit given below the count is an error; one above it is
    /// checked against the data (`checkGivenLimits`), since a run started with a limit above the data's
    /// count recorded the data's count.
    private static func savedLimits(_ config: [String: JSONValue], request: TrainingRequest, source: String) throws
        -> (train: Int?, test: Int?)
    {
        func limit(_ key: String, _ asked: Int?, _ split: String) throws -> Int? {
            guard let value = config[key] else { return asked }
            // A count that is there but no whole number of at least one is a damaged file: it resumed on all
            // the images and rewrote the count.
            guard let saved = value.integerValue, saved >= 1 else {
                throw RunError(
                    "\(source): \(key) must be a whole number of at least 1, got \(Sanitize.line(value.serialized(), limit: 40))"
                )
            }
            // A limit above the count may be one the data had fewer images than: `checkGivenLimits` decides.
            if let asked, asked < saved {
                throw RunError(
                    "\(source): run was trained with \(saved) \(split) images; --\(split)-limit \(asked) would change them"
                )
            }
            return saved
        }
        return (
            try limit("train_count", request.trainLimit, "train"), try limit("test_count", request.testLimit, "test")
        )
    }
}
