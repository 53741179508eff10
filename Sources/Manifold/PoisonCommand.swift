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
    static let methods = ["labelflip", "backdoor"]

    /// The options of `poison`, each declared once.
    enum Options {
        static let model = CommandOption<Classifier.Kind>.choice("model", default: .mlp, help: "the classifier")
        static let fraction = CommandOption<Double>.number(
            "fraction", "F", default: nil, in: 0...1, defaultText: "labelflip 0.2, backdoor 0.1",
            help: "share of training images poisoned")
        static let fractions = CommandOption<Double>.numbers(
            "fractions", "F1,F2,..", in: 0...1,
            help: "labelflip: one model per fraction (runs NAME-f0.10, ...) for the accuracy curve")
        static let target = CommandOption<Int>.integer(
            "target", "C", default: 0, in: IntegerRange(0...), help: "backdoor: the class triggered images are sent to")
        static let epochs = CommandOption<Int>.integer(
            "epochs", default: 3, in: IntegerRange(1...10_000), help: "training epochs")
        static let batch = CommandOption<Int>.integer(
            "batch", "B", default: 128, in: IntegerRange(1...65_536), help: "mini-batch size")
        static let learningRate = CommandOption<Double>.number(
            "lr", default: 1e-3, in: 0...10, excludingLower: true, help: "Adam learning rate")
        static let run = SharedOptions.run.withHelp("run folder name under runs/ (default: MODEL-DATASET-METHOD-DATE)")
    }

    static let declaration = CommandDeclaration(
        name: "poison", arguments: "labelflip|backdoor",
        summary: "train on a poisoned training set (\(methods.joined(separator: ", ")))", about: HelpText.poison,
        options: [
            SharedOptions.data.declaration, Options.model.declaration, Options.fraction.declaration,
            Options.fractions.declaration, Options.target.declaration, Options.epochs.declaration,
            Options.batch.declaration, Options.learningRate.declaration,
            SharedOptions.seed.withHelp("seed for initialisation, data order and the poisoned choice").declaration,
            Options.run.declaration, SharedOptions.trainLimit.declaration, SharedOptions.testLimit.declaration,
            SharedOptions.json.declaration, SharedOptions.quiet.declaration, SharedOptions.threads.declaration,
        ], maxPositional: 1)

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        guard let method = parsed.positional.first else {
            throw UsageError("'poison' needs a method: \(methods.joined(separator: ", "))")
        }
        guard methods.contains(method) else {
            throw UsageError(
                "unknown poisoning '\(Sanitize.line(method))' (known: \(methods.joined(separator: ", ")))")
        }
        let kind = try parsed.value(Options.model)
        let fractions: [Double]
        if let list = try parsed.given(Options.fractions) {
            guard method == "labelflip" else { throw UsageError("'--fractions' is for labelflip; use --fraction") }
            guard !parsed.isGiven(Options.fraction.name) else {
                throw UsageError("give '--fraction' or '--fractions', not both")
            }
            fractions = list
        } else {
            fractions = [try parsed.value(Options.fraction, default: method == "backdoor" ? 0.1 : 0.2)]
        }
        let epochs = try parsed.value(Options.epochs)
        let batch = try parsed.value(Options.batch)
        let learningRate = try parsed.value(Options.learningRate)
        let seed = try parsed.value(SharedOptions.seed)
        try SharedOptions.applyThreads(parsed)
        let dataSpec = try parsed.value(SharedOptions.data)
        let baseName = try parsed.given(Options.run).map { try resolveRunArgument($0).name }
        let limits = try DataLimits(parsed)
        let quiet = parsed.has(SharedOptions.quiet)
        let json = parsed.has(SharedOptions.json)
        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: seed))
        let target = try parsed.value(Options.target)
        if method == "backdoor" || parsed.isGiven(Options.target.name) {
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
                label: "\(method) \(String(format: "%.2f", fraction))", quiet: quiet)
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
            if !json {
                print(
                    String(format: "%@ fraction %.2f: clean test accuracy %.4f", method, fraction, accuracy)
                        + (successRate.map { String(format: ", attack success rate %.4f (target %d)", $0, target) }
                            ?? "")
                        + ", saved to \(run.path)")
            }
        }
        if json {
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
