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
    static let methods = PoisonedTraining.Method.allCases.map(\.rawValue)

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
        static let run = SharedOptions.run.withHelp(
            "run folder name under runs/ (default: MODEL-DATASET-METHOD-DATE-TIME)")
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
        ], maxPositional: 1, choices: ("poisoning", methods))

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        guard let methodName = parsed.positional.first else {
            throw UsageError("'poison' needs a method: \(methods.joined(separator: ", "))")
        }
        guard let method = PoisonedTraining.Method(rawValue: methodName) else {
            throw UsageError(
                "unknown poisoning '\(Sanitize.line(methodName))'\(SpellingSuggestion.hint(for: methodName, among: methods))"
                    + " (known: \(methods.joined(separator: ", ")))")
        }
        let kind = try parsed.value(Options.model)
        let fractions: [Double]
        if let list = try parsed.given(Options.fractions) {
            guard method == .labelflip else { throw UsageError("'--fractions' is for labelflip; use --fraction") }
            guard !parsed.isGiven(Options.fraction.name) else {
                throw UsageError("give '--fraction' or '--fractions', not both")
            }
            fractions = list.map { $0 + 0 }  // -0 reads as 0
        } else {
            fractions = [try parsed.value(Options.fraction, default: method == .backdoor ? 0.1 : 0.2) + 0]
        }
        if method == .labelflip && parsed.isGiven(Options.target.name) {
            throw UsageError(
                "option '--target' is for backdoor: labelflip sends each flipped label to a random other class")
        }
        let epochs = try parsed.value(Options.epochs)
        let batch = try parsed.value(Options.batch)
        let learningRate = try parsed.value(Options.learningRate)
        let seed = try parsed.value(SharedOptions.seed)
        try SharedOptions.applyThreads(parsed)
        let dataSpec = try parsed.value(SharedOptions.data)
        InterruptNote.set("interrupted: no run was saved")
        let baseName = try parsed.given(Options.run).map { try resolveRunArgument($0).name }
        let limits = try DataLimits(parsed)
        let quiet = parsed.has(SharedOptions.quiet)
        let json = parsed.has(SharedOptions.json)
        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: seed))
        if let problem = Classifier.sizeProblem(
            kind: kind, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth)
        {
            throw UsageError("option '--model': \(problem)")
        }
        let target = try parsed.value(Options.target)
        if method == .backdoor {
            guard target < dataset.classCount else {
                throw UsageError(
                    "'--target' \(target) is not a class of '\(dataset.name)' (0..\(dataset.classCount - 1))")
            }
        }
        // The 4x4 trigger sits one pixel from the bottom-right corner: a smaller image would get part of it or
        // none (a 1x28 image none at all, and a success rate of 0 measured on untriggered images).
        if method == .backdoor {
            let trigger = ImageTransforms.Trigger.checkerboard(
                imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth)
            if trigger.row < 0 || trigger.column < 0 {
                throw UsageError(
                    "'poison backdoor': its \(trigger.height)x\(trigger.width) trigger, one pixel from the corner, needs images of at least \(trigger.height + 1)x\(trigger.width + 1) pixels; '\(dataset.name)' has \(dataset.imageHeight)x\(dataset.imageWidth)"
                )
            }
        }
        // The success rate is measured on the triggered test images of the other classes: with none, it
        // would read 0 (or 1) out of nothing.
        if method == .backdoor && !dataset.testLabels.contains(where: { $0 != target }) {
            throw UsageError(
                "'poison backdoor': no test image lies outside the target class \(target) (of \(counted(dataset.testCount, "test image"))), so there is none to measure the attack success rate on (pick another '--target', or more test images with '--test-limit')"
            )
        }
        let recipe = PoisonedTraining(
            method: method, kind: kind, dataSpec: dataSpec, epochs: epochs, batch: batch, learningRate: learningRate,
            seed: seed, target: target)
        var rows: [JSONValue] = []
        var saved: [String] = []
        // Every run named (and the runs folder) is checked before the first model trains.
        try RunDirectory.checkRoot()
        try checkRunNames(fractions, baseName: baseName)
        if let baseName {
            for fraction in fractions {
                try PoisonedTraining.checkNew(runFolder(baseName, fraction: fraction, of: fractions))
            }
        }
        for fraction in fractions {
            let run = runFolder(
                baseName ?? RunDirectory.newName(model: kind.rawValue, dataset: dataset.name, method: method.rawValue),
                fraction: fraction, of: fractions)
            InterruptNote.set(
                "interrupted: run \(run.path) was not saved"
                    + (saved.isEmpty ? "" : "; saved before it: \(saved.joined(separator: ", "))"))
            let progress = ProgressReporter(
                label: "\(method.rawValue) \(shown(fraction))", quiet: quiet)
            let outcome = try recipe.train(
                on: dataset, fraction: fraction, run: run,
                progress: { done, total in progress.update(done: done, total: total, detail: "") },
                epochEnded: { summary in
                    progress.log(
                        "\(method.rawValue) \(shown(fraction)) "
                            + String(
                                format: "epoch %d/%d  train_loss %.4f  test_loss %.4f  test_accuracy %.4f  %.2f s",
                                summary.epoch, epochs, summary.value("train_loss") ?? 0,
                                summary.value("test_loss") ?? 0, summary.value("test_accuracy") ?? 0, summary.seconds))
                })
            saved.append(outcome.run.path)
            // Saved: a Ctrl-C from here on says so (it said "was not saved" beside the saved run's folder).
            // Without --json each saved run's line is printed (and flushed) below; with it, the one report is
            // printed at the end.
            let unsaid =
                (fraction == fractions.last ? [] : ["the next run was not started"])
                + (json ? ["the report was not printed"] : [])
            InterruptNote.set(
                "interrupted: saved \(saved.joined(separator: ", "))"
                    + (unsaid.isEmpty ? "" : "; " + unsaid.joined(separator: "; ")))
            var row: [String: JSONValue] = [
                "fraction": .number(fraction), "clean_accuracy": .number(outcome.cleanAccuracy),
                "run": .string(outcome.run.path),
            ]
            if let rate = outcome.attackSuccessRate { row["attack_success_rate"] = .number(rate) }
            rows.append(.object(row))
            if !json {
                print(
                    "\(method.rawValue) fraction \(shown(fraction)): "
                        + String(format: "clean test accuracy %.4f", outcome.cleanAccuracy)
                        + (outcome.attackSuccessRate.map {
                            String(format: ", attack success rate %.4f (target %d)", $0, target)
                        } ?? "")
                        + ", saved to \(outcome.run.path)")
                // A Ctrl-C while the next run trains ends the process without flushing stdout: into a file or a
                // pipe the line of a run already saved was lost.
                fflush(nil)
            }
        }
        if json {
            var object: [String: JSONValue] = [
                "poison": .string(method.rawValue), "model": .string(kind.rawValue),
                "dataset": .string(dataset.name), "epochs": .integer(epochs),
            ]
            if rows.count == 1, case .object(let only) = rows[0] {
                for (key, value) in only { object[key] = value }
                if method == .backdoor { object["target"] = .integer(target) }
            } else {
                object["curve"] = .array(rows)
            }
            print(JSONValue.object(object).serialized())
        }
        return 0
    }

    /// Refuses, before any training, fractions whose runs would share a name (`-f0.10` for both 0.1 and
    /// 0.101: the second would be refused after the first trained) and a `--run` too long for its suffix.
    static func checkRunNames(_ fractions: [Double], baseName: String?) throws {
        guard fractions.count > 1 else { return }
        var seen: [String: Double] = [:]
        for fraction in fractions {
            let suffix = runSuffix(fraction)
            if let earlier = seen[suffix] {
                throw UsageError(
                    "option '--fractions': \(earlier) and \(fraction) both name their run '-\(suffix)' (runs are named to two decimals); give fractions that differ there"
                )
            }
            seen[suffix] = fraction
            if let baseName {
                do {
                    _ = try RunDirectory.resolve(baseName + "-" + suffix)
                } catch {
                    throw UsageError("option '--run': with the suffix '-\(suffix)', \(error.description)")
                }
            }
        }
    }

    /// `fraction` as given, to at most four decimals (0.999 read "1.00" at two).
    static func shown(_ fraction: Double) -> String { String(format: "%.4g", fraction) }

    /// The suffix that names the run of `fraction` among several: `f0.10`.
    static func runSuffix(_ fraction: Double) -> String { String(format: "f%.2f", fraction) }

    /// The run folder of `fraction`: `NAME`, or `NAME-f0.10` when several fractions are trained.
    static func runFolder(_ name: String, fraction: Double, of fractions: [Double]) -> RunDirectory {
        RunDirectory(
            root: RunDirectory.defaultRoot, name: fractions.count > 1 ? name + "-" + runSuffix(fraction) : name
        )
    }
}
