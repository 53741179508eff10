import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold poison labelflip|backdoor`: trains a classifier on a poisoned training set and reports the
/// clean test accuracy (and, for a backdoor, the attack success rate on triggered test images); each
/// trained model is saved as a run that keeps both numbers.
enum PoisonCommand {
    static let valueOptions: Set<String> = [
        "data", "model", "fraction", "fractions", "target", "epochs", "run", "seed", "batch", "lr", "threads",
        "train-limit", "test-limit",
    ]
    static let flagOptions: Set<String> = ["json", "quiet"]

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        guard let method = parsed.positional.first else {
            throw UsageError("'poison' needs a method: labelflip, backdoor")
        }
        try parsed.expectPositional(atMost: 1, command: "poison")
        guard method == "labelflip" || method == "backdoor" else {
            throw UsageError("unknown poisoning '\(Sanitize.line(method))' (known: labelflip, backdoor)")
        }
        let modelName = parsed.string("model") ?? "mlp"
        guard let kind = Classifier.Kind(rawValue: modelName) else {
            throw UsageError("option '--model' must be mlp or cnn, got '\(Sanitize.line(modelName))'")
        }
        let fractions: [Double]
        if let list = parsed.string("fractions") {
            guard method == "labelflip" else { throw UsageError("'--fractions' is for labelflip; use --fraction") }
            guard parsed.string("fraction") == nil else {
                throw UsageError("give '--fraction' or '--fractions', not both")
            }
            fractions = try list.split(separator: ",").map { text in
                guard let value = Double(text), (0...1).contains(value) else {
                    throw UsageError(
                        "option '--fractions' needs numbers in [0, 1], got '\(Sanitize.line(String(text)))'")
                }
                return value
            }
            guard !fractions.isEmpty else { throw UsageError("option '--fractions' is empty") }
        } else {
            fractions = [try parsed.number("fraction", default: method == "backdoor" ? 0.1 : 0.2, in: 0...1)]
        }
        let epochs = try parsed.integer("epochs", default: 3, in: 1...10_000)
        let batch = try parsed.integer("batch", default: 128, in: 1...65_536)
        let learningRate = try parsed.number("lr", default: 1e-3, in: 0...10, excludingLower: true)
        let seed = try parsed.seed(default: 0)
        try applyThreads(parsed)
        let dataSpec = parsed.string("data") ?? "synthetic"
        let baseName = try parsed.string("run").map { try resolveRunArgument($0).name }
        let limits = try DataLimits(parsed)
        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: seed))
        let target = try parsed.integer("target", default: 0, in: 0...Int.max)
        if method == "backdoor" || parsed.string("target") != nil {
            guard target < dataset.classCount else {
                throw UsageError(
                    "'--target' \(target) is not a class of '\(dataset.name)' (0..\(dataset.classCount - 1))")
            }
        }
        let backdoor = BackdoorPoisoning(
            trigger: .checkerboard(imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth),
            targetClass: target)

        var rows: [JSONValue] = []
        for fraction in fractions {
            let poisoned =
                method == "backdoor"
                ? backdoor.poison(dataset, fraction: fraction, seed: seed).dataset
                : LabelFlipPoisoning.poison(dataset, fraction: fraction, seed: seed).dataset
            var name = baseName ?? RunDirectory.newName(model: kind.rawValue, dataset: "\(dataset.name)-\(method)")
            if fractions.count > 1 { name += String(format: "-f%.2f", fraction) }
            let run = RunDirectory(root: RunDirectory.defaultRoot, name: name)
            if FileManager.default.fileExists(atPath: run.file("config.json")) {
                throw RuntimeError("run '\(run.path)' exists already; pick another --run name")
            }
            let training = ClassifierTraining(
                kind: kind, dataset: poisoned, batchSize: batch, learningRate: Float(learningRate), epochs: epochs,
                seed: seed)
            let model = training.model
            let progress = ProgressReporter(
                label: "\(method) \(String(format: "%.2f", fraction))", quiet: parsed.has("quiet"))
            var metrics = MetricsTable()
            var accuracy = 0.0
            var loss = 0.0
            while !training.isFinished {
                let report = try training.step()
                progress.update(done: training.progress.done, total: training.progress.total, detail: "")
                if let summary = report.epochSummary {
                    metrics.append(summary)
                    accuracy = summary.value("test_accuracy") ?? 0
                    loss = summary.value("test_loss") ?? 0
                }
            }
            model.setTraining(false)
            let successRate = method == "backdoor" ? backdoor.attackSuccessRate(model, on: dataset) : nil
            try run.create()
            var config = RunConfig(
                model: kind.rawValue, data: dataSpec, dataset: dataset, epochs: epochs, batch: batch,
                learningRate: learningRate, seed: seed)
            config.epochsDone = epochs
            config.extra["image_height"] = .integer(dataset.imageHeight)
            config.extra["image_width"] = .integer(dataset.imageWidth)
            config.test = ["accuracy": accuracy, "loss": loss]
            var poison: [String: JSONValue] = ["method": .string(method), "fraction": .number(fraction)]
            if method == "backdoor" {
                poison["target"] = .integer(target)
                poison["trigger"] = .string("checkerboard 4x4 bottom-right")
                config.test["attack_success_rate"] = successRate
            }
            config.extra["poison"] = .object(poison)
            try RunCheckpoint.save(
                run: run, module: model, optimizers: training.optimizers, config: config, metrics: metrics)
            var row: [String: JSONValue] = [
                "fraction": .number(fraction), "clean_accuracy": .number(accuracy), "run": .string(run.path),
            ]
            if let successRate { row["attack_success_rate"] = .number(successRate) }
            rows.append(.object(row))
            if !parsed.has("json") {
                print(
                    String(format: "%@ fraction %.2f: clean test accuracy %.4f", method, fraction, accuracy)
                        + (successRate.map { String(format: ", attack success rate %.4f (target %d)", $0, target) }
                            ?? "")
                        + ", saved to \(run.path)")
            }
        }
        if parsed.has("json") {
            var object: [String: JSONValue] = [
                "poison": .string(method), "model": .string(kind.rawValue),
                "dataset": .string(dataset.name), "epochs": .integer(epochs),
            ]
            if rows.count == 1, case .object(let only) = rows[0] {
                for (key, value) in only { object[key] = value }
                if method == "backdoor" { object["target"] = .integer(target) }
            } else {
                object["curve"] = .array(rows)
            }
            print(JSONValue.object(object).serialized())
        }
        return 0
    }
}
