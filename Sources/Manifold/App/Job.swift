import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// A long job the workbench runs in the background: an experiment on its own `Runner`, plus what
/// the screens need to label it (kind, dataset class names, run folder).
final class Job {
    enum Kind { case classifierTraining }

    let kind: Kind
    let title: String
    let runner: Runner
    let classNames: [String]
    let run: RunDirectory?
    /// Saves the current weights on the runner's queue (set for training jobs).
    var saveWeights: (@Sendable () -> String)?

    init(kind: Kind, title: String, runner: Runner, classNames: [String], run: RunDirectory?) {
        self.kind = kind
        self.title = title
        self.runner = runner
        self.classNames = classNames
        self.run = run
    }

    /// Starts training a classifier on the dataset, saving a run folder at the end of each epoch.
    static func trainClassifier(kind: Classifier.Kind, dataSpec: String, epochs: Int, seed: UInt64, running: Bool) throws -> Job {
        let dataset = try DatasetLoader.load(dataSpec, seed: seed)
        var generator = RandomGenerator(seed: seed)
        let model = Classifier(kind: kind, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth, classCount: dataset.classCount, generator: &generator)
        let training = ClassifierTraining(model: model, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: epochs, seed: seed)
        let run = RunDirectory(root: RunDirectory.defaultRoot, name: RunDirectory.newName(model: kind.rawValue, dataset: dataset.name))
        var config = RunConfig(model: kind.rawValue, data: dataSpec, dataset: dataset.name, epochs: epochs, batch: 128, learningRate: 1e-3, seed: seed)
        config.classNames = dataset.classNames
        config.trainCount = dataset.trainCount
        config.testCount = dataset.testCount
        let recorder = EpochRecorder(run: run, model: model, optimizer: training.optimizer, config: config)
        let runner = Runner(experiment: training, label: kind.rawValue, heavyEvery: 40) { report in
            recorder.record(report)
        }
        runner.start(running: running)
        let job = Job(kind: .classifierTraining, title: "\(kind.rawValue) · \(dataset.name)", runner: runner, classNames: dataset.classNames, run: run)
        job.saveWeights = { recorder.saveWeights() }
        return job
    }
}

/// Saves a classifier run at each epoch end; used only on the runner's queue.
final class EpochRecorder: @unchecked Sendable {
    private let run: RunDirectory
    private let model: Classifier
    private let optimizer: Adam
    private var config: RunConfig
    private var rows: [String] = []
    private var stepsSeen = 0

    init(run: RunDirectory, model: Classifier, optimizer: Adam, config: RunConfig) {
        self.run = run
        self.model = model
        self.optimizer = optimizer
        self.config = config
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
