import Base
import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// `manifold train pca|ae|vae|aae|wae|dae|ddpm`: trains a generative model headless, writing a run
/// folder like the classifiers' (config.json with the model's settings, metrics.csv, model.safetensors
/// holding every network, optimizer.safetensors holding every optimizer's state).
enum GenerativeTrainCommand {
    static let valueOptions: Set<String> = [
        "data", "latent", "epochs", "batch", "lr", "seed", "run", "threads", "train-limit", "test-limit", "prior",
        "penalty",
        "sigmas", "iw", "lambda", "clip", "net", "ema",
    ]
    static let flagOptions: Set<String> = ["json", "resume", "quiet"]

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        try parsed.expectPositional(atMost: 1, command: "train")
        guard let kind = parsed.positional.first.flatMap(GenerativeKind.init(rawValue:)) else {
            throw UsageError("'train' needs a generative model")
        }
        var settings = try settingsFromArguments(parsed, kind: kind)
        let limits = try DataLimits(parsed)
        try applyThreads(parsed)
        let resume = parsed.has("resume")
        let json = parsed.has("json")

        let run: RunDirectory
        var completedEpochs = 0
        var dataSpec = parsed.string("data") ?? "synthetic"
        var savedConfig: [String: JSONValue] = [:]
        var defaults = TrainingDefaults(batch: 128, learningRate: settings.defaultLearningRate(for: kind), seed: 0)
        if resume {
            guard kind != .pca else { throw UsageError("'pca' is fitted in one pass; there is nothing to resume") }
            guard let runName = parsed.string("run") else {
                throw UsageError("'--resume' needs '--run NAME' of the run to continue")
            }
            run = try resolveRunArgument(runName)
            guard run.exists else { throw RuntimeError("no run folder '\(run.path)' to resume") }
            savedConfig = try run.readConfig()
            guard savedConfig["model"]?.stringValue == kind.rawValue else {
                throw RuntimeError(
                    "\(run.file("config.json")): run is a '\(savedConfig["model"]?.stringValue ?? "?")' model, not '\(kind.rawValue)'"
                )
            }
            // The saved settings rule; a conflicting option on the command line is an error.
            let saved = try GenerativeSettings(config: savedConfig, kind: kind, source: run.file("config.json"))
            if parsed.string("latent") != nil && saved.latent != settings.latent {
                throw RuntimeError(
                    "\(run.file("config.json")): run has latent size \(saved.latent), not \(settings.latent)")
            }
            if parsed.string("net") != nil && saved.network != settings.network {
                throw RuntimeError(
                    "\(run.file("config.json")): run has network \(saved.network.rawValue), not \(settings.network.rawValue)"
                )
            }
            if parsed.string("ema") != nil && saved.averageDecay != settings.averageDecay {
                throw RuntimeError(
                    "\(run.file("config.json")): run has weight-average decay \(saved.averageDecay), not \(settings.averageDecay)"
                )
            }
            settings = saved
            defaults = defaults.resumed(from: savedConfig)
            completedEpochs = try savedEpochsDone(savedConfig, run: run)
            if parsed.string("data") == nil, let data = savedConfig["data"]?.stringValue { dataSpec = data }
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
        let epochs = try parsed.integer(
            "epochs", default: kind == .pca ? 1 : max(kind.defaultEpochs, completedEpochs + 1), in: 1...10_000)
        if resume && completedEpochs >= epochs {
            throw UsageError(
                "run '\(run.path)' has done \(completedEpochs) epochs already; pass --epochs above \(completedEpochs)")
        }

        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: seed))
        if kind == .pca && settings.latent > min(dataset.pixelCount, dataset.trainCount) {
            throw UsageError(
                "'--latent' \(settings.latent) exceeds what \(dataset.trainCount) images of \(dataset.pixelCount) pixels allow"
            )
        }
        try run.create()
        var config = RunConfig(
            model: kind.rawValue, data: dataSpec, dataset: dataset, epochs: epochs, batch: batch,
            learningRate: learningRate, seed: seed)
        config.epochsDone = completedEpochs
        config.extra = settings.extra(for: kind)
        config.extra["pixels"] = .integer(dataset.pixelCount)
        if resume { config.created = savedConfig["created"]?.stringValue ?? config.created }

        let progress = ProgressReporter(label: "\(kind.rawValue) \(dataset.name)", quiet: parsed.has("quiet"))
        var test: [(name: String, value: Double)] = []
        var secondsPerEpoch = 0.0
        var epochsDone = completedEpochs
        if kind == .pca {
            let start = Date()
            let model = PCA.fit(
                images: dataset.trainImages, features: dataset.pixelCount, components: settings.latent, seed: seed)
            secondsPerEpoch = Date().timeIntervalSince(start)
            test = [
                ("mse", model.reconstructionError(images: dataset.testImages)),
                ("explained_variance", model.explainedVarianceRatio()),
            ]
            epochsDone = 1
            config.epochsDone = 1
            config.test = Dictionary(uniqueKeysWithValues: test.map { ($0.name, $0.value) })
            let summary = EpochSummary(
                epoch: 1, step: 0, seconds: secondsPerEpoch,
                metrics: test.map { (name: "test_\($0.name)", value: $0.value) })
            let header = test.map { "test_\($0.name)" }
            try GenerativeRunStore.save(
                run: run, model: model, optimizers: [], config: config, metricsHeader: header,
                metricsRows: [GenerativeRunStore.row(summary, header: header)])
            progress.log(
                String(
                    format: "pca k=%d: test mse %.6f, explained variance %.4f, %.2f s", settings.latent, test[0].value,
                    test[1].value, secondsPerEpoch))
        } else {
            var generator = RandomGenerator(seed: seed)
            let model = try GenerativeFactory.make(
                kind, settings: settings, pixels: dataset.pixelCount, learningRate: Float(learningRate),
                generator: &generator)
            var metricsRows: [String] = []
            if resume {
                try GenerativeRunStore.load(run: run, model: model, optimizers: model.optimizers)
                let text = String(decoding: try run.read("metrics.csv"), as: UTF8.self)
                metricsRows = text.split(separator: "\n").dropFirst().map(String.init)
            }
            let training = GenerativeTraining(
                model: model, dataset: dataset, batchSize: batch, epochs: epochs, seed: seed,
                completedEpochs: completedEpochs)
            var epochSeconds: [Double] = []
            while !training.isFinished {
                let report = try training.step()
                let (done, total) = training.progress
                progress.update(
                    done: done, total: total, detail: String(format: "loss %.4f", report.metrics["loss"] ?? 0))
                guard let summary = report.epochSummary else { continue }
                epochSeconds.append(summary.seconds)
                let header = summary.metrics.map(\.name)
                metricsRows.append(GenerativeRunStore.row(summary, header: header))
                test = summary.metrics.filter { $0.name.hasPrefix("test_") }.map {
                    (name: String($0.name.dropFirst(5)), value: $0.value)
                }
                config.epochsDone = summary.epoch
                epochsDone = summary.epoch
                config.test = Dictionary(test.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                progress.log(
                    "epoch \(summary.epoch)/\(epochs)  "
                        + summary.metrics.map { "\($0.name) \(format($0.value))" }.joined(separator: "  ")
                        + String(format: "  %.2f s", summary.seconds))
                try GenerativeRunStore.save(
                    run: run, model: model, optimizers: model.optimizers, config: config, metricsHeader: header,
                    metricsRows: metricsRows)
            }
            secondsPerEpoch = epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        }
        if json {
            let object: JSONValue = .object([
                "model": .string(kind.rawValue), "dataset": .string(dataset.name), "epochs": .integer(epochsDone),
                "seconds_per_epoch": .number(secondsPerEpoch), "run": .string(run.path),
                "test": .object(
                    Dictionary(test.map { ($0.name, JSONValue.number($0.value)) }, uniquingKeysWith: { a, _ in a })),
            ])
            print(object.serialized())
        } else {
            print(
                "\(kind.rawValue): " + test.map { "test \($0.name) \(format($0.value))" }.joined(separator: ", ")
                    + String(format: ", %.2f s/epoch, saved to %@", secondsPerEpoch, run.path))
        }
        return 0
    }

    static func format(_ value: Double) -> String {
        Swift.abs(value) >= 100 ? String(format: "%.2f", value) : String(format: "%.6g", value)
    }

    /// The model settings given on the command line (defaults where absent).
    static func settingsFromArguments(_ parsed: ParsedArguments, kind: GenerativeKind) throws -> GenerativeSettings {
        var settings = GenerativeSettings()
        let allowed: [GenerativeKind: Set<String>] = [
            .vae: ["iw"], .aae: ["prior"], .wae: ["prior", "penalty", "lambda", "clip"], .dae: ["sigmas"],
            .ddpm: ["net", "ema"],
        ]
        for option in ["iw", "prior", "penalty", "lambda", "clip", "sigmas", "net", "ema"]
        where parsed.string(option) != nil {
            guard allowed[kind, default: []].contains(option) else {
                throw UsageError("option '--\(option)' does not apply to '\(kind.rawValue)'")
            }
        }
        if kind.usesLatent {
            settings.latent = try parsed.integer("latent", default: kind.defaultLatent, in: 1...4096)
        } else if parsed.string("latent") != nil {
            throw UsageError("option '--latent' does not apply to '\(kind.rawValue)'")
        }
        if let text = parsed.string("prior") {
            guard let prior = LatentPrior(rawValue: text) else {
                throw UsageError(
                    "option '--prior' must be one of \(LatentPrior.allCases.map(\.rawValue).joined(separator: ", ")), got '\(Sanitize.line(text))'"
                )
            }
            settings.prior = prior
        }
        if let text = parsed.string("penalty") {
            guard let penalty = WassersteinAutoencoder.Penalty(rawValue: text) else {
                throw UsageError("option '--penalty' must be critic or mmd, got '\(Sanitize.line(text))'")
            }
            settings.penalty = penalty
        }
        if let text = parsed.string("net") {
            guard let network = DDPM.Network(rawValue: text) else {
                throw UsageError(
                    "option '--net' must be one of \(DDPM.Network.allCases.map(\.rawValue).joined(separator: ", ")), got '\(Sanitize.line(text))'"
                )
            }
            settings.network = network
        }
        settings.averageDecay = try parsed.number("ema", default: settings.averageDecay, in: 0...0.999_999_9)
        settings.importanceSamples = try parsed.integer("iw", default: 10, in: 1...10_000)
        settings.lambda = try parsed.number("lambda", default: 10, in: 0...1e6)
        settings.clip = try parsed.number("clip", default: 0.1, in: 0...100, excludingLower: true)
        if let text = parsed.string("sigmas") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            let values = parts.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 > 0 && $0.isFinite && $0 <= 100 })
            else {
                throw UsageError(
                    "option '--sigmas' needs positive numbers separated by commas, got '\(Sanitize.line(text))'")
            }
            settings.sigmas = values
        } else if kind == .dae {
            settings.sigmas = [1.0, 0.6, 0.35, 0.2, 0.12, 0.07]
        }
        return settings
    }
}
