import Base
import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// `manifold train mlp|cnn`: trains a classifier headless, writing a run folder.
enum TrainCommand {
    static let valueOptions: Set<String> = [
        "data", "epochs", "batch", "lr", "seed", "run", "threads", "train-limit", "test-limit", "adversarial", "eps",
        "adv-steps",
    ]
    static let flagOptions: Set<String> = ["json", "resume", "quiet"]

    static func run(_ arguments: [String]) throws -> Int32 {
        if let first = arguments.first, GenerativeKind(rawValue: first) != nil {
            return try GenerativeTrainCommand.run(arguments)
        }
        let parsed = try ParsedArguments(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        guard let modelName = parsed.positional.first else {
            throw UsageError(
                "'train' needs a model: \(Classifier.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try parsed.expectPositional(atMost: 1, command: "train")
        guard let kind = Classifier.Kind(rawValue: modelName) else {
            throw UsageError(
                "unknown model '\(Sanitize.line(modelName))' (known: \((Classifier.Kind.allCases.map(\.rawValue) + GenerativeKind.allCases.map(\.rawValue)).joined(separator: ", ")))"
            )
        }
        let epochs = try parsed.integer("epochs", default: 1, in: 1...10_000)
        let limits = try DataLimits(parsed)
        try applyThreads(parsed)
        let resume = parsed.has("resume")
        let json = parsed.has("json")

        // Resolve the run folder before the (slow) data load, so a bad name fails at once.
        let run: RunDirectory
        var completedEpochs = 0
        var dataSpec = parsed.string("data") ?? "synthetic"
        var defaults = TrainingDefaults(batch: 128, learningRate: 1e-3, seed: 0)
        if resume {
            guard let runName = parsed.string("run") else {
                throw UsageError("'--resume' needs '--run NAME' of the run to continue")
            }
            run = try resolveRunArgument(runName)
            guard run.exists else { throw RuntimeError("no run folder '\(run.path)' to resume") }
            let config = try run.readConfig()
            guard config["model"]?.stringValue == kind.rawValue else {
                throw RuntimeError(
                    "\(run.file("config.json")): run is a '\(config["model"]?.stringValue ?? "?")' model, not '\(kind.rawValue)'"
                )
            }
            completedEpochs = try savedEpochsDone(config, run: run)
            if parsed.string("data") == nil, let saved = config["data"]?.stringValue { dataSpec = saved }
            defaults = defaults.resumed(from: config)
        } else {
            let name =
                try parsed.string("run").map { try resolveRunArgument($0).name }
                ?? RunDirectory.newName(model: kind.rawValue, dataset: dataSpec)
            run = RunDirectory(root: RunDirectory.defaultRoot, name: name)
            if run.exists && FileManager.default.fileExists(atPath: run.file("config.json")) {
                throw RuntimeError(
                    "run '\(run.path)' exists already; use --resume to continue it or pick another --run name")
            }
        }

        let batch = try parsed.integer("batch", default: defaults.batch, in: 1...65_536)
        let learningRate = try parsed.number("lr", default: defaults.learningRate, in: 0...10, excludingLower: true)
        let seed = try parsed.seed(default: defaults.seed)
        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: seed))
        let training = ClassifierTraining(
            kind: kind, dataset: dataset, batchSize: batch, learningRate: Float(learningRate), epochs: epochs,
            seed: seed, completedEpochs: completedEpochs)
        let model = training.model
        let adversarial = try AdversarialTraining.transform(parsed, model: model, seed: seed)
        training.inputTransform = adversarial?.transform
        var metricsRows: [String] = []
        if resume {
            try ClassifierRunStore.load(run: run, model: model, optimizer: training.optimizer)
            let text = String(decoding: try run.read("metrics.csv"), as: UTF8.self)
            metricsRows = text.split(separator: "\n").dropFirst().map(String.init)
            if completedEpochs >= epochs {
                throw UsageError(
                    "run '\(run.path)' has done \(completedEpochs) epochs already; pass --epochs above \(completedEpochs)"
                )
            }
        }
        try run.create()

        var config = RunConfig(
            model: kind.rawValue, data: dataSpec, dataset: dataset, epochs: epochs, batch: batch,
            learningRate: learningRate, seed: seed)
        config.epochsDone = completedEpochs
        config.extra["image_height"] = .integer(dataset.imageHeight)
        config.extra["image_width"] = .integer(dataset.imageWidth)
        if let adversarial { config.extra["adversarial"] = adversarial.description }
        config.created = resume ? (try? run.readConfig()["created"]?.stringValue) ?? config.created : config.created

        let progress = ProgressReporter(label: "\(kind.rawValue) \(dataset.name)", quiet: parsed.has("quiet"))
        var epochSeconds: [Double] = []
        var last: EpochSummary?
        var warnedDivergence = false
        while !training.isFinished {
            let report = try training.step()
            let (done, total) = training.progress
            progress.update(done: done, total: total, detail: String(format: "loss %.4f", report.metrics["loss"] ?? 0))
            if let summary = report.epochSummary {
                epochSeconds.append(summary.seconds)
                last = summary
                progress.log(
                    String(
                        format: "epoch %d/%d  train_loss %.4f  test_loss %.4f  test_accuracy %.4f  %.2f s",
                        summary.epoch, epochs, summary.value("train_loss") ?? 0, summary.value("test_loss") ?? 0,
                        summary.value("test_accuracy") ?? 0, summary.seconds))
                if !warnedDivergence,
                    let warning = divergenceWarning(summary, classes: dataset.classCount, learningRate: learningRate)
                {
                    warnedDivergence = true
                    FileHandle.standardError.write(Data((warning + "\n").utf8))
                }
                metricsRows.append(MetricsTable.row(summary))
                config.epochsDone = summary.epoch
                config.test = [
                    "accuracy": summary.value("test_accuracy") ?? 0, "loss": summary.value("test_loss") ?? 0,
                ]
                try ClassifierRunStore.save(
                    run: run, model: model, optimizer: training.optimizer, config: config, metricsRows: metricsRows)
            }
        }
        let secondsPerEpoch = epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        if json {
            let object: JSONValue = .object([
                "model": .string(kind.rawValue), "dataset": .string(dataset.name),
                "epochs": .integer(training.completedEpochs),
                "seconds_per_epoch": .number(secondsPerEpoch), "run": .string(run.path),
                "test": .object([
                    "accuracy": .number(last?.value("test_accuracy") ?? 0),
                    "loss": .number(last?.value("test_loss") ?? 0),
                ]),
            ])
            print(object.serialized())
        } else {
            print(
                String(
                    format: "%@: test accuracy %.4f, loss %.4f, %.2f s/epoch, saved to %@", kind.rawValue,
                    last?.value("test_accuracy") ?? 0, last?.value("test_loss") ?? 0, secondsPerEpoch, run.path))
        }
        return 0
    }
}

/// A warning when an epoch's training loss is finite but far above a uniform guess's ln(classes): the
/// weights were thrown off by too large a step (the loss is not NaN, so nothing stops the run).
func divergenceWarning(_ summary: EpochSummary, classes: Int, learningRate: Double) -> String? {
    guard let loss = summary.value("train_loss"), loss.isFinite else { return nil }
    let uniform = log(Double(max(classes, 2)))
    guard loss > 10 * uniform else { return nil }
    return String(
        format:
            "warning: train_loss %.4g after epoch %d is far above a uniform guess's %.2f: the learning rate %g is probably too high",
        loss, summary.epoch, uniform, learningRate)
}

/// `--threads N` sets the compute thread count for every kernel.
func applyThreads(_ parsed: ParsedArguments) throws {
    if parsed.string("threads") != nil {
        ComputeThreads.count = try parsed.integer("threads", default: 1, in: 1...256)
    }
}

/// Resolves a `--run` or RUN argument; a malformed name is a usage error (exit 2).
/// The `epochs_done` of a run being resumed: a whole number from 0 to 1,000,000, else the config is
/// refused (a negative, fractional or textual count would silently restart or skip training).
func savedEpochsDone(_ config: [String: JSONValue], run: RunDirectory) throws -> Int {
    guard let done = config["epochs_done"]?.integerValue, (0...1_000_000).contains(done) else {
        let shown = config["epochs_done"].map { Sanitize.line($0.serialized(), limit: 40) } ?? "missing"
        throw RuntimeError(
            "\(run.file("config.json")): epochs_done must be a whole number from 0 to 1000000, got \(shown)")
    }
    return done
}

func resolveRunArgument(_ text: String) throws -> RunDirectory {
    do {
        return try RunDirectory.resolve(text)
    } catch {
        throw UsageError("'--run': \(error.description)")
    }
}
