import Datasets
import Engine
import Foundation
import Synchronization
import Models
import NeuralNet
import SafeTensors
import TensorCore
import TerminalUI

/// A long job the workbench runs in the background: an experiment on its own `Runner`, plus what
/// the screens need to label it (kind, dataset class names, run folder).
final class Job {
    /// What a job does; each screen lists the kinds it shows (`WorkbenchScreen.jobKinds`).
    enum Kind: Hashable, Sendable {
        case classifierTraining, generativeTraining, sampling, attack, comparison, watching, evaluation
    }

    let kind: Kind
    let title: String
    let runner: Runner
    let run: RunDirectory?
    private let labels: JobLabels
    /// The dataset's class names, known once the job's set-up has loaded it (empty before).
    var classNames: [String] { labels.classNames }
    /// The attack method of an attack job.
    var method = ""
    /// Position in the workbench's list of step-rate limits (0: full speed).
    var paceIndex = 0
    /// Saves the current weights on the runner's queue (set for training jobs).
    var saveWeights: (@Sendable () -> String)?
    /// Maps a key to a change made between steps on the runner's queue (learning rate, eps, ...).
    var controls: (KeyEvent) -> (@Sendable (any Experiment) -> String)? = { key in
        switch key.key {
        case .character("+"), .character("="): return LearningRate.scale(by: 2)
        case .character("-"): return LearningRate.scale(by: 0.5)
        default: return nil
        }
    }

    init(kind: Kind, title: String, runner: Runner, classNames: [String], run: RunDirectory?, labels: JobLabels? = nil) {
        self.kind = kind
        self.title = title
        self.runner = runner
        self.run = run
        self.labels = labels ?? JobLabels(classNames)
    }

    /// A short name of a dataset spec for titles and run names, known without loading it.
    static func datasetLabel(_ spec: String) -> String {
        if spec.isEmpty { return "synthetic" }
        var trimmed = spec
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }

    /// Starts training a classifier on the dataset, saving a run folder at the end of each epoch. The
    /// dataset is loaded and the model built on the runner's queue; the job shows "loading …" meanwhile.
    static func trainClassifier(kind: Classifier.Kind, dataSpec: String, epochs: Int, seed: UInt64, running: Bool) throws -> Job {
        let name = datasetLabel(dataSpec)
        let run = RunDirectory(root: RunDirectory.defaultRoot, name: RunDirectory.newName(model: kind.rawValue, dataset: name))
        let labels = JobLabels()
        let recorder = EngineSlot<EpochRecorder>()
        let experiment = DeferredExperiment(label: "the \(name) dataset") {
            let dataset = try DatasetLoader.load(dataSpec, seed: seed)
            labels.classNames = dataset.classNames
            let training = ClassifierTraining(kind: kind, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: epochs, seed: seed)
            let model = training.model
            let config = RunConfig(model: kind.rawValue, data: dataSpec, dataset: dataset, epochs: epochs, batch: 128, learningRate: 1e-3, seed: seed)
            recorder.value = EpochRecorder(run: run, model: model, optimizer: training.optimizer, config: config)
            return training
        }
        let runner = Runner(experiment: experiment, label: kind.rawValue, heavyEvery: 40) { report in
            recorder.value?.record(report)
        }
        runner.start(running: running)
        let job = Job(kind: .classifierTraining, title: "\(kind.rawValue) · \(name)", runner: runner, classNames: [], run: run, labels: labels)
        job.saveWeights = { recorder.value?.saveWeights() ?? "still loading" }
        return job
    }
}

/// Class names a job's set-up (on the runner's queue) hands to the UI thread once the dataset is loaded.
final class JobLabels: Sendable {
    private let names: Mutex<[String]>

    init(_ classNames: [String] = []) { names = Mutex(classNames) }

    var classNames: [String] {
        get { names.withLock { $0 } }
        set { names.withLock { $0 = newValue } }
    }
}

/// A value built by a job's set-up and used afterwards, all on the job's runner queue (a recorder that
/// saves the run at epoch ends). `@unchecked Sendable`: the runner's serial queue is the only user.
final class EngineSlot<Value>: @unchecked Sendable {
    var value: Value?
}

/// Saves a classifier run at each epoch end; used only on the runner's queue.
final class EpochRecorder: @unchecked Sendable {
    private let run: RunDirectory
    private let model: Classifier
    private let optimizer: Adam
    private var config: RunConfig
    private var rows: [String] = []
    private var stepsSeen = 0

    init(run: RunDirectory, model: Classifier, optimizer: Adam, config: RunConfig, rows: [String] = []) {
        self.run = run
        self.model = model
        self.optimizer = optimizer
        self.config = config
        self.rows = rows
    }

    /// Writes the current weights to `model-step<N>.safetensors` (the resume checkpoint is only written at
    /// epoch ends, so resuming stays exact).
    func saveWeights() -> String {
        let step = stepsSeen
        let name = "model-step\(step).safetensors"
        do {
            try run.create()
            try run.write(SafeTensorsFormat.encode(Checkpoint.file(of: model, metadata: ["format": "pt", "manifold.step": String(step)])), to: name)
            return "weights saved to \(run.file(name))"
        } catch {
            return "could not save: \(error)"
        }
    }

    /// Saves after an epoch; returns what happened, for the status line.
    func record(_ report: StepReport) -> String? {
        stepsSeen += 1
        guard let summary = report.epochSummary else { return nil }
        rows.append(MetricsTable.row(summary))
        config.epochsDone = summary.epoch
        config.test = ["accuracy": summary.value("test_accuracy") ?? 0, "loss": summary.value("test_loss") ?? 0]
        do {
            try run.create()
            try ClassifierRunStore.save(run: run, model: model, optimizer: optimizer, config: config, metricsRows: rows)
            return "epoch \(summary.epoch) saved to \(run.path)"
        } catch {
            // A failed save must not stop training; the message says what went wrong.
            return "could not save: \(error)"
        }
    }
}

extension Job {
    /// Starts training a generative model (not PCA, which the Compare screen fits) on the dataset,
    /// saving a run folder at the end of each epoch.
    /// `network` picks the ddpm's noise predictor; the U-Net trains at batch 32 (four times the
    /// updates of batch 128 for the same arithmetic: recognisable digits after a minute).
    static func trainGenerative(
        kind: GenerativeKind, dataSpec: String, epochs: Int, seed: UInt64, running: Bool,
        network: DDPM.Network? = nil
    ) throws -> Job {
        precondition(kind != .pca, "PCA is fitted, not trained")
        let name = datasetLabel(dataSpec)
        let run = RunDirectory(root: RunDirectory.defaultRoot, name: RunDirectory.newName(model: kind.rawValue, dataset: name))
        let labels = JobLabels()
        let recorder = EngineSlot<GenerativeEpochRecorder>()
        let experiment = DeferredExperiment(label: "the \(name) dataset") {
            let dataset = try DatasetLoader.load(dataSpec, seed: seed)
            labels.classNames = dataset.classNames
            var settings = GenerativeSettings()
            settings.latent = kind.defaultLatent
            if kind == .dae { settings.sigmas = [1, 0.6, 0.35, 0.2, 0.12, 0.07] }
            if let network { settings.network = network }
            let learningRate = settings.defaultLearningRate(for: kind)
            let batch = kind == .ddpm && settings.network == .unet ? 32 : 128
            var generator = RandomGenerator(seed: seed)
            let model = try GenerativeFactory.make(
                kind, settings: settings, pixels: dataset.pixelCount, learningRate: Float(learningRate), generator: &generator)
            let training = GenerativeTraining(model: model, dataset: dataset, batchSize: batch, epochs: epochs, seed: seed, completedEpochs: 0)
            var config = RunConfig(model: kind.rawValue, data: dataSpec, dataset: dataset, epochs: epochs, batch: batch, learningRate: learningRate, seed: seed)
            config.extra = settings.extra(for: kind)
            config.extra["pixels"] = .integer(dataset.pixelCount)
            recorder.value = GenerativeEpochRecorder(run: run, model: model, config: config)
            return training
        }
        let runner = Runner(experiment: experiment, label: kind.rawValue, heavyEvery: 40) { report in recorder.value?.record(report) }
        runner.start(running: running)
        let job = Job(kind: .generativeTraining, title: "\(kind.rawValue) · \(name)", runner: runner, classNames: [], run: run, labels: labels)
        job.addFocusControls()
        return job
    }

    /// `a` / `d` / `b`: update both networks of an adversarial pair, only the adversary, or only the
    /// autoencoder; other keys change the learning rate.
    func addFocusControls() {
        let learningRate = controls
        controls = { key in
            let focus: UpdateFocus
            switch key.key {
            case .character("a"): focus = .all
            case .character("d"): focus = .adversaryOnly
            case .character("b"): focus = .autoencoderOnly
            default: return learningRate(key)
            }
            return { experiment in
                guard let training = experiment as? GenerativeTraining else { return "" }
                training.updateFocus = focus
                return training.updateFocus == focus ? "updating: \(focus.rawValue)" : "this model has no adversary"
            }
        }
    }
}
/// Saves a generative run at each epoch end; used only on the runner's queue.
final class GenerativeEpochRecorder: @unchecked Sendable {
    private let run: RunDirectory
    private let model: any GenerativeModel
    private var config: RunConfig
    private var header: [String] = []
    private var rows: [String] = []

    init(run: RunDirectory, model: any GenerativeModel, config: RunConfig, header: [String] = [], rows: [String] = []) {
        self.run = run
        self.model = model
        self.config = config
        self.header = header
        self.rows = rows
    }

    func record(_ report: StepReport) -> String? {
        guard let summary = report.epochSummary else { return nil }
        if header.isEmpty { header = summary.metrics.map(\.name) }
        rows.append(GenerativeRunStore.row(summary, header: header))
        config.epochsDone = summary.epoch
        config.test = Dictionary(summary.metrics.filter { $0.name.hasPrefix("test_") }.map { (String($0.name.dropFirst(5)), $0.value) }, uniquingKeysWith: { a, _ in a })
        do {
            try run.create()
            try GenerativeRunStore.save(run: run, model: model, optimizers: model.optimizers, config: config, metricsHeader: header, metricsRows: rows)
            return "epoch \(summary.epoch) saved to \(run.path)"
        } catch {
            return "could not save: \(error)"
        }
    }
}

/// Learning-rate changes sent to a running experiment.
enum LearningRate {
    static func scale(by factor: Float) -> @Sendable (any Experiment) -> String {
        { experiment in
            if let training = experiment as? ClassifierTraining {
                training.optimizer.learningRate = min(1, max(1e-6, training.optimizer.learningRate * factor))
                return String(format: "learning rate %.2g", training.optimizer.learningRate)
            }
            if let training = experiment as? GenerativeTraining {
                training.learningRate = min(1, max(1e-6, training.learningRate * factor))
                return String(format: "learning rate %.2g", training.learningRate)
            }
            return "this job has no learning rate"
        }
    }
}

extension Job {
    /// Fits PCA and trains one autoencoder per code size, for the Compare screen.
    static func compare(dataSpec: String, running: Bool) throws -> Job {
        let name = datasetLabel(dataSpec)
        let labels = JobLabels()
        let experiment = DeferredExperiment(label: "the \(name) dataset") {
            var dataset = try DatasetLoader.load(dataSpec, seed: 0)
            dataset = dataset.subset(train: min(dataset.trainCount, 10_000), test: min(dataset.testCount, 2_000))
            labels.classNames = dataset.classNames
            return CompareExperiment(dataset: dataset)
        }
        let runner = Runner(experiment: experiment, label: "compare", heavyEvery: 30)
        runner.start(running: running)
        let job = Job(kind: .comparison, title: "ae vs pca · \(name)", runner: runner, classNames: [], run: nil, labels: labels)
        job.controls = { key in
            let delta: Int
            switch key.key {
            case .up, .character("+"), .character("="): delta = 1
            case .down, .character("-"): delta = -1
            default: return nil
            }
            return { experiment in
                guard let comparison = experiment as? CompareExperiment else { return "" }
                let sizes = comparison.codeSizes
                let index = sizes.firstIndex { $0 >= comparison.selectedCodeSize } ?? sizes.count - 1
                comparison.selectedCodeSize = sizes[max(0, min(sizes.count - 1, index + delta))]
                return "showing k = \(comparison.selectedCodeSize)"
            }
        }
        return job
    }
}

extension Job {
    /// Follows a run trained by another process (`manifold watch RUN`).
    static func watch(run: RunDirectory) throws -> Job {
        let watcher = try RunWatcher(run: run)
        let runner = Runner(experiment: watcher, label: "watch", heavyEvery: 1)
        runner.start(running: true)
        let config = try run.readConfig()
        let classNames = config["class_names"]?.arrayValue?.compactMap(\.stringValue) ?? (0..<10).map(String.init)
        return Job(kind: .watching, title: "watching \(run.name)", runner: runner, classNames: classNames, run: run)
    }
}
