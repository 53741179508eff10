import Base
import Datasets
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// One training run from start to finish, for every kind of model: the command line's `train` and the
/// workbench's training and resume jobs all go through it. It takes a `TrainingPlan` (a new run or a
/// resume, already validated), holds the run's lock, loads the dataset (cut to the plan's limits),
/// builds the model and its training, restores the checkpoint and metrics of a resumed run, and after
/// each epoch saves the checkpoint (`RunCheckpoint`), `metrics.csv` and `config.json`.
///
/// Drive `training` step by step (`step()`), and hand each report to `record(_:)`. All on one thread or
/// queue: the workbench builds and drives it on the job's runner queue.
public final class TrainingSession: @unchecked Sendable {
    public let plan: TrainingPlan
    public let dataset: Dataset
    /// The experiment to step: `ClassifierTraining`, `GenerativeTraining` or `PCAFitting`.
    public let training: any ModelTraining
    /// What `config.json` says after the last epoch (saved unless that save failed).
    public private(set) var config: RunConfig
    public private(set) var metrics: MetricsTable
    /// Steps recorded by this session (names the weights `saveWeights` writes).
    public private(set) var stepsRecorded = 0
    private let lock: RunLock
    private var run: RunDirectory { plan.run }

    /// Starts the plan: takes the run's lock, loads the data and the model, restores a resumed run.
    /// - Parameter createFolder: create the run folder now (the command line, to fail before training on
    ///   an unwritable folder) rather than at the first save (the workbench, so a job stopped before its
    ///   first epoch leaves nothing behind).
    /// - Parameter lock: the run's lock when the caller took it already (the workbench takes it at once,
    ///   to refuse a busy run before loading anything on the job's queue); else it is taken here.
    /// - Throws: `RunError` (locked run, unreadable checkpoint), a dataset error, or
    ///   `TrainingRequestError` when the data does not suit the request.
    public init(_ plan: TrainingPlan, lock: RunLock? = nil, createFolder: Bool = true) throws {
        self.plan = plan
        self.lock = try lock ?? RunLock(run: plan.run)
        try TrainingSession.checkUnchanged(plan)
        var dataset = try DatasetLoader.load(plan.data, seed: plan.seed)
        try plan.checkGivenLimits(dataTrainCount: dataset.trainCount, dataTestCount: dataset.testCount)
        let train = min(plan.trainLimit ?? .max, dataset.trainCount)
        let test = min(plan.testLimit ?? .max, dataset.testCount)
        if train < dataset.trainCount || test < dataset.testCount {
            dataset = dataset.subset(train: train, test: test)
        }
        self.dataset = dataset
        // A resume trains on the images it was trained on: a data folder replaced by one of another image size
        // is refused (a U-Net's weights fit any size, and the run went on, rewriting its recorded size).
        let saved = plan.isResume ? try plan.run.readConfig() : [:]
        if plan.isResume {
            if let height = saved["image_height"]?.integerValue, let width = saved["image_width"]?.integerValue,
                (height, width) != (dataset.imageHeight, dataset.imageWidth)
            {
                throw RunError(
                    "\(plan.run.path)/config.json: run was trained on \(height)x\(width) images, but "
                        + "'\(Sanitize.line(plan.data, limit: 80))' has \(dataset.imageHeight)x\(dataset.imageWidth) "
                        + "now; a resume trains on the same images (train a new run)")
            }
        }
        // A resumed classifier keeps the classes config.json records: one trained on a data folder when
        // every folder had ten keeps its ten outputs on data of fewer.
        var savedClassNames: [String]?
        if plan.isResume, case .classifier = plan.model {
            let names = saved["class_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if (2...10_000).contains(names.count) {
                try ClassCountMismatch.check(
                    dataSpec: plan.data, dataClasses: dataset.classCount, runName: plan.run.name,
                    runClasses: names.count)
                if names.count != dataset.classCount { savedClassNames = names }
            }
        }
        training = try TrainingSession.makeTraining(
            plan, dataset: dataset, classCount: savedClassNames?.count ?? dataset.classCount)
        config = RunConfig(
            model: plan.model.rawValue, data: plan.data, dataset: dataset, epochs: plan.epochs, batch: plan.batch,
            learningRate: plan.learningRate, seed: plan.seed)
        if let savedClassNames { config.classNames = savedClassNames }
        config.epochsDone = plan.completedEpochs
        switch plan.model {
        case .classifier:
            config.extra["image_height"] = .integer(dataset.imageHeight)
            config.extra["image_width"] = .integer(dataset.imageWidth)
            if plan.architecture != .standard { config.extra["net"] = .string(plan.architecture.rawValue) }
        case .generative(let kind):
            config.extra = plan.settings.extra(for: kind)
            config.extra["pixels"] = .integer(dataset.pixelCount)
            config.extra["image_height"] = .integer(dataset.imageHeight)
            config.extra["image_width"] = .integer(dataset.imageWidth)
        }
        if let created = plan.created { config.created = created }
        if let adversarial = plan.adversarial, let classifier = training as? ClassifierTraining {
            TrainingSession.configure(classifier, adversarial: adversarial, plan: plan, dataset: dataset)
            config.extra["adversarial"] = adversarial.description(
                learningRate: plan.learningRate, batchesPerEpoch: classifier.batchesPerEpoch)
        }
        if plan.noiseAware, let classifier = training as? ClassifierTraining {
            let objective = NoiseAwareObjective(seed: plan.seed)
            classifier.objective = objective
            config.extra["noise_aware"] = objective.description
        }
        metrics = MetricsTable()
        if plan.isResume {
            try RunCheckpoint.load(run: plan.run, module: training.module, optimizers: training.optimizers)
            metrics = MetricsTable(csv: String(decoding: try plan.run.read("metrics.csv"), as: UTF8.self))
            metrics.keepRows(through: plan.completedEpochs)
        }
        if createFolder { try plan.run.create() }
    }

    /// The plan was made from the run's folder before its lock was taken; another training may have saved
    /// the run in between (it held the lock then, and released it when it ended). Checked again under the
    /// lock: a new run must still have no config.json (else it would replace that training's run at its
    /// first epoch), a resume must still find the epochs it was planned from (else it would load newer
    /// weights under older epoch counts).
    /// - Throws: `RunError` saying what the other training left.
    static func checkUnchanged(_ plan: TrainingPlan) throws {
        let run = plan.run
        guard plan.isResume else {
            if FileManager.default.fileExists(atPath: run.file("config.json")) {
                throw RunError(
                    "run '\(run.path)' exists already; use --resume to continue it or pick another --run name")
            }
            return
        }
        let done = try run.readConfig()["epochs_done"]?.integerValue
        guard done == plan.completedEpochs else {
            throw RunError(
                "run '\(run.path)' was saved by another training while this one started (\(done.map(String.init) ?? "no") epochs done now, not \(plan.completedEpochs)); start it again"
            )
        }
    }

    /// The experiment for the plan's model, with a fresh model seeded by the plan's seed.
    private static func makeTraining(_ plan: TrainingPlan, dataset: Dataset, classCount: Int) throws
        -> any ModelTraining
    {
        switch plan.model {
        case .classifier(let kind):
            if let problem = Classifier.sizeProblem(
                kind: kind, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth)
            {
                throw TrainingRequestError(problem)
            }
            var generator = RandomGenerator(seed: plan.seed)
            let model = Classifier(
                kind: kind, architecture: plan.architecture, imageHeight: dataset.imageHeight,
                imageWidth: dataset.imageWidth, classCount: classCount, generator: &generator)
            return ClassifierTraining(
                model: model, dataset: dataset, batchSize: plan.batch, learningRate: Float(plan.learningRate),
                epochs: plan.epochs, seed: plan.seed, completedEpochs: plan.completedEpochs)
        case .generative(.pca):
            let largest = min(dataset.pixelCount, dataset.trainCount)
            guard plan.settings.latent <= largest else {
                throw TrainingRequestError(
                    "'--latent' \(plan.settings.latent) exceeds what \(counted(dataset.trainCount, "image")) of \(dataset.pixelCount) pixels allow (at most \(largest))"
                )
            }
            return PCAFitting(dataset: dataset, components: plan.settings.latent, seed: plan.seed)
        case .generative(let kind):
            // The data picks the image size: a U-Net that cannot take it is refused as the cnn is (exit 2).
            if kind == .ddpm, plan.settings.network == .unet,
                !DDPM.unetSupports(height: dataset.imageHeight, width: dataset.imageWidth)
            {
                throw TrainingRequestError(
                    "the ddpm U-Net needs \(DDPM.unetImageRequirement), got "
                        + "\(dataset.imageHeight)x\(dataset.imageWidth) (--net mlp takes any size)")
            }
            var generator = RandomGenerator(seed: plan.seed)
            var settings = plan.settings
            if settings.conditional {
                // A resumed conditional run keeps its class embedding: data of another class count is a
                // usage error, worded as for a classifier's (`ClassCountMismatch`).
                if settings.classCount > 0 && settings.classCount != dataset.classCount {
                    throw TrainingRequestError(
                        "option '--data': '\(Sanitize.line(plan.data))' has \(dataset.classCount) classes, but run "
                            + "'\(Sanitize.line(plan.run.name))' is conditioned on \(settings.classCount)")
                }
                settings.classCount = dataset.classCount
            }
            let model = try GenerativeFactory.make(
                kind, settings: settings, pixels: dataset.pixelCount, generator: &generator)
            return GenerativeTraining(
                model: model, dataset: dataset, batchSize: plan.batch, learningRate: Float(plan.learningRate),
                epochs: plan.epochs, seed: plan.seed, completedEpochs: plan.completedEpochs)
        }
    }

    /// Sets up adversarial training: the objective, the cyclic learning rate of `fgsm-rs`, and the
    /// per-epoch FGSM / PGD check on the first 256 training images (PGD seeded by the run's seed).
    private static func configure(
        _ classifier: ClassifierTraining, adversarial: AdversarialTrainingSettings, plan: TrainingPlan,
        dataset: Dataset
    ) {
        classifier.train(adversarially: adversarial, learningRate: plan.learningRate, seed: plan.seed)
        let count = min(RobustnessProbe.defaultCount, dataset.trainCount)
        let batch = dataset.trainBatch(Array(0..<count))
        classifier.robustnessProbe = RobustnessProbe(
            images: Tensor(shape: [count, dataset.pixelCount], scalars: batch.images), labels: batch.labels,
            epsilon: adversarial.epsilon, seed: plan.seed)
    }

    /// The epoch with the best training-batch PGD accuracy in `metrics` and that accuracy (the first
    /// such epoch on a tie); nil without the column.
    public static func bestPGDEpoch(_ metrics: MetricsTable) -> (epoch: Int, accuracy: Double)? {
        let column = metrics.column("train_pgd_accuracy")
        guard let best = column.max(by: { $0.value < $1.value }).map(\.value) else { return nil }
        return column.first { $0.value == best }.map { ($0.epoch, $0.value) }
    }

    /// What `--early-stop-pgd` kept, once the run has finished: the epoch whose weights
    /// `model.safetensors` holds and its training-batch PGD accuracy.
    public private(set) var keptEpoch: (epoch: Int, accuracy: Double)?

    /// The file holding the weights of the best PGD epoch so far, under `--early-stop-pgd`.
    public static let bestPGDWeightsFile = "model-best-pgd.safetensors"

    /// The learning rate the training updates with now, which the workbench's `+` `-` change between steps;
    /// nil where a schedule sets it at each step (fgsm-rs) or there is no optimizer (PCA).
    public var liveLearningRate: Float? {
        if let classifier = training as? ClassifierTraining {
            return classifier.learningRateSchedule == nil ? classifier.optimizer.learningRate : nil
        }
        return (training as? GenerativeTraining)?.learningRate
    }

    /// Records a step; at an epoch's end saves the checkpoint, metrics and config, and returns the
    /// epoch's summary.
    /// - Throws: `RunError` when the save fails; the previous checkpoint is then still in place, and the
    ///   next epoch's save writes this epoch's metrics row too.
    @discardableResult
    public func record(_ report: StepReport) throws -> EpochSummary? {
        stepsRecorded += 1
        guard let summary = report.epochSummary else { return nil }
        metrics.append(summary)
        config.epochsDone = summary.epoch
        // A rate changed live (the workbench's `+` `-`) is the one the run goes on at: config.json says so, and
        // a resume continues at it. Before, the run kept claiming the rate it was started with.
        if let rate = liveLearningRate, rate != Float(config.learningRate) {
            config.learningRate = Double("\(rate)") ?? Double(rate)
        }
        config.test = Dictionary(
            summary.metrics.filter { $0.name.hasPrefix("test_") }.map { (String($0.name.dropFirst(5)), $0.value) },
            uniquingKeysWith: { first, _ in first })
        // A runs folder deleted while the run trained took the lock file with it: taken back before anything is
        // saved, or refused when another training has the run now.
        try lock.reclaim(run)
        try run.create()
        try RunCheckpoint.save(
            run: run, module: training.module, optimizers: training.optimizers, config: config, metrics: metrics)
        if plan.adversarial?.earlyStopPGD == true { try keepBestPGDEpoch(summary) }
        return summary
    }

    /// `--early-stop-pgd` (Wong, Rice & Kolter 2020, section 5.2; Rice et al. 2020): after each epoch, the
    /// weights of the epoch with the best training-batch PGD accuracy so far go to
    /// `model-best-pgd.safetensors`; when training ends they replace `model.safetensors` (the resume
    /// checkpoint of each epoch until then stays exact; `optimizer.safetensors` stays the last epoch's)
    /// and `config.json` names the kept epoch under `early_stop_pgd`.
    private func keepBestPGDEpoch(_ summary: EpochSummary) throws {
        guard let best = TrainingSession.bestPGDEpoch(metrics) else { return }
        if best.epoch == summary.epoch {
            try run.write(try run.read("model.safetensors"), to: TrainingSession.bestPGDWeightsFile)
        }
        guard training.isFinished else { return }
        config.extra["early_stop_pgd"] = .object([
            "kept_epoch": .integer(best.epoch), "train_pgd_accuracy": .number(best.accuracy),
            "last_epoch": .integer(summary.epoch),
        ])
        if best.epoch != summary.epoch {
            let kept = metrics.row(epoch: best.epoch)
            config.test = Dictionary(
                kept.filter { $0.name.hasPrefix("test_") }.map { (String($0.name.dropFirst(5)), $0.value) },
                uniquingKeysWith: { first, _ in first })
        }
        // The kept weights and the config that names them as one group (config.json last): written one after the
        // other, a failure or a kill between the two left the kept epoch's weights under the last epoch's config.
        var files: [(name: String, bytes: [UInt8])] = []
        if best.epoch != summary.epoch {
            files.append(("model.safetensors", try run.read(TrainingSession.bestPGDWeightsFile)))
        }
        files.append(("config.json", Array((config.json.serialized(pretty: true) + "\n").utf8)))
        try run.write(files: files)
        keptEpoch = best
    }

    /// Writes the current weights to `model-step<N>.safetensors` (the resume checkpoint is only written
    /// at epoch ends, so resuming stays exact); returns what happened, for a status line.
    public func saveWeights() -> String {
        let name = "model-step\(stepsRecorded).safetensors"
        // The run is made when its first epoch ends: saved before, the weights made a folder without config.json,
        // which Runs never listed and `d` could not delete, and quitting then left it behind.
        guard FileManager.default.fileExists(atPath: run.file("config.json")) else {
            return "nothing saved: the run \(run.name) is made when its first epoch ends (s saves the weights after)"
        }
        do {
            try run.create()
            let file = Checkpoint.file(
                of: training.module, metadata: ["format": "pt", "manifold.step": String(stepsRecorded)])
            try run.write(SafeTensorsFormat.encode(file), to: name)
            return "weights saved to \(run.file(name))"
        } catch {
            return "could not save: \(error)"
        }
    }

    /// Removes the run folder of a new run while it is still empty: stopped (Ctrl-C, a failure) before its
    /// first epoch was saved, it leaves nothing behind, as a workbench job does. A folder holding anything
    /// stays (`rmdir` removes only an empty one), and a resumed run's folder is never touched.
    public func removeFolderIfEmpty() {
        guard !plan.isResume else { return }
        rmdir(run.path)
    }

    /// The run's lock file (removed when the lock is released).
    public var lockPath: String { lock.path }

    /// Gives up the run's lock before the session is released (e.g. to let another training start).
    public func close() { lock.release() }
}
