import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold train MODEL`: trains any model headless into a run folder. The options become a
/// `TrainingRequest`; `TrainingPlan` resolves it (a new run or `--resume`) and `TrainingSession` does
/// the rest; this file only reads options and prints progress and results.
enum TrainCommand {
    /// The word naming the model: the first positional word. Options may come before it (`train --epochs
    /// 3 mlp`), and which options there are depends on the model, so they are read here with every model's;
    /// arguments that fail that keep the first word, and the parse with its model's options names the fault.
    static func modelWord(_ arguments: [String]) -> String? {
        (try? ParsedArguments(arguments, options: TrainOptions.declaration.options))?.positional.first
            ?? arguments.first
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let model = modelWord(arguments).flatMap(ModelKind.init(rawValue:))
        if case .generative(let kind)? = model,
            let option = TrainOptions.classifier.first(where: { option in
                arguments.contains { $0 == "--\(option.name)" || $0.hasPrefix("--\(option.name)=") }
            })
        {
            throw UsageError(
                option.name == TrainOptions.noiseAware.name
                    ? "'--noise-aware' is for classifiers (mlp, cnn), not '\(kind.rawValue)'"
                    : "'--\(option.name)' is for classifiers (mlp, cnn): '\(kind.rawValue)' has no adversarial training"
            )
        }
        let parsed = try ParsedArguments(arguments, options: TrainOptions.options(for: model))
        try CommandDeclaration.checkData(parsed)
        guard let name = parsed.positional.first else {
            throw UsageError("'train' needs a model: \(ModelKind.allNames)")
        }
        try parsed.expectPositional(atMost: 1, command: "train")
        guard let model else {
            throw UsageError(
                "unknown model '\(Sanitize.line(name))'"
                    + SpellingSuggestion.hint(for: name, among: ModelKind.allCases.map(\.rawValue))
                    + " (known: \(ModelKind.allNames))")
        }
        var request = try self.request(parsed, model: model)
        request.adversarial = try AdversarialTraining.settings(parsed)
        request.givenAdversarial = AdversarialTraining.given(parsed)
        request.adversarialOnResume = try AdversarialTraining.resumeOptions(parsed)
        request.noiseAware = parsed.has(TrainOptions.noiseAware)
        try SharedOptions.applyThreads(parsed)
        // Ctrl-C while the run is locked and its data loads stops before the first step, as it would after it.
        InterruptFlag.install()
        let plan: TrainingPlan
        // Taken with a generated name, so that trainings started in the same second get names of their own.
        var lock: RunLock?
        do {
            if parsed.has(TrainOptions.resume) {
                guard let runName = try parsed.given(TrainOptions.run) else {
                    throw UsageError("'--resume' needs '--run NAME' of the run to continue")
                }
                plan = try TrainingPlan.resume(request, run: try resolveRunArgument(runName))
            } else if let runName = try parsed.given(TrainOptions.run) {
                plan = try TrainingPlan.new(request, run: try resolveRunArgument(runName))
            } else {
                let fresh = try RunLock.newRun(
                    model: model.rawValue, dataset: request.data ?? "synthetic", root: RunDirectory.defaultRoot)
                lock = fresh.lock
                plan = try TrainingPlan.new(request, run: fresh.run)
            }
        } catch let error as TrainingRequestError {
            throw UsageError(error.description)
        }
        // The lock is held before the data loads, so that SIGTERM, SIGHUP or a second Ctrl-C while it loads
        // removes the lock file and says what is saved, as they do once the first step has begun.
        let held = try lock ?? RunLock(run: plan.run)
        InterruptFlag.install(removingIfEmpty: plan.isResume ? nil : plan.run.path, lockFile: held.path)
        InterruptFlag.setNote(interruptionNote(plan, completedEpochs: plan.completedEpochs))
        let session: TrainingSession
        do {
            session = try TrainingSession(plan, lock: held)
        } catch let error as TrainingRequestError {
            throw UsageError(error.description)
        }
        if let warning = session.metrics.droppedRowWarning(file: plan.run.file("metrics.csv")) {
            printError(warning)
        }
        return try train(session, quiet: parsed.has(SharedOptions.quiet), json: parsed.has(SharedOptions.json))
    }

    /// The request the options make (validated: ranges, names); nothing is read from disk yet. What is
    /// not given stays nil, for `TrainingPlan` to fill from the model's defaults or the saved run.
    static func request(_ parsed: ParsedArguments, model: ModelKind) throws -> TrainingRequest {
        var request = TrainingRequest(model: model)
        if case .generative(let kind) = model {
            request.settings = try GenerativeSettingsOptions.settings(
                parsed, kind: kind, resume: parsed.has(TrainOptions.resume))
            request.givenSettings = GenerativeSettingsOptions.given(parsed)
        }
        if case .classifier = model { request.architecture = try parsed.given(TrainOptions.network) }
        request.data = try parsed.given(SharedOptions.data)
        request.epochs = try parsed.given(TrainOptions.epochs)
        request.batch = try parsed.given(TrainOptions.batch)
        request.learningRate = try parsed.given(TrainOptions.learningRate)
        request.seed = try parsed.given(TrainOptions.seed)
        request.trainLimit = try parsed.given(SharedOptions.trainLimit)
        request.testLimit = try parsed.given(SharedOptions.testLimit)
        if model == .generative(.pca) { try checkPCA(request) }
        return request
    }

    /// Steps the session to the end, printing progress; Ctrl-C stops between steps and says what is
    /// saved and how to continue.
    static func train(_ session: TrainingSession, quiet: Bool, json: Bool) throws -> Int32 {
        // Stopped before the first epoch was saved, a new run leaves no empty folder.
        defer { session.removeFolderIfEmpty() }
        let plan = session.plan
        let training = session.training
        let label = "\(plan.model.rawValue) \(session.dataset.name)"
        let progress = ProgressReporter(label: label, quiet: quiet)
        var epochSeconds: [Double] = []
        var last: EpochSummary?
        var warnedDivergence = false
        var warnedCollapse = false
        InterruptFlag.install(removingIfEmpty: plan.isResume ? nil : plan.run.path, lockFile: session.lockPath)
        InterruptFlag.setNote(interruptionNote(session))
        // A PCA fit is one long step: it asks for the flag inside.
        (training as? PCAFitting)?.isCancelled = { InterruptFlag.isRaised }
        while !training.isFinished {
            if InterruptFlag.isRaised {
                progress.log("manifold: " + interruptionNote(session), always: true)
                return 130
            }
            let report: StepReport
            do {
                report = try training.step()
            } catch is CancellationError {
                progress.log("manifold: " + interruptionNote(session), always: true)
                return 130
            }
            let (done, total) = training.progress
            progress.update(done: done, total: total, detail: String(format: "loss %.4f", report.metrics["loss"] ?? 0))
            guard let summary = try session.record(report) else { continue }
            InterruptFlag.setNote(interruptionNote(session))
            epochSeconds.append(summary.seconds)
            last = summary
            progress.log(epochLine(summary, session: session))
            if !warnedDivergence,
                let warning = DivergenceWarning.line(
                    summary, model: plan.model, classes: session.dataset.classCount,
                    pixels: session.dataset.pixelCount, learningRate: plan.learningRate)
            {
                warnedDivergence = true
                // Like every other line of the program's own on stderr, prefixed `manifold: `; printed under
                // `--quiet` too.
                progress.log("manifold: " + warning, always: true)
            }
            if !warnedCollapse, let line = collapseLine(session) {
                warnedCollapse = true
                progress.log(line)
            }
        }
        if let kept = session.keptEpoch {
            progress.log(
                String(
                    format:
                        "early stop on PGD accuracy: kept epoch %d of %d (training-batch PGD accuracy %.4f); model.safetensors holds its weights",
                    kept.epoch, training.completedEpochs, kept.accuracy))
        }
        let secondsPerEpoch = epochSeconds.isEmpty ? 0 : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        if let kept = session.keptEpoch {
            last = EpochSummary(
                epoch: kept.epoch, step: 0, seconds: 0, metrics: session.metrics.row(epoch: kept.epoch))
        }
        let test = (last?.metrics ?? []).filter { $0.name.hasPrefix("test_") }.map {
            (name: String($0.name.dropFirst(5)), value: $0.value)
        }
        if json {
            var object: [String: JSONValue] = [
                "model": .string(plan.model.rawValue), "dataset": .string(session.dataset.name),
                "epochs": .integer(training.completedEpochs), "seconds_per_epoch": .number(secondsPerEpoch),
                "run": .string(plan.run.path),
                "test": .object(
                    Dictionary(test.map { ($0.name, JSONValue.number($0.value)) }, uniquingKeysWith: { a, _ in a })),
            ]
            if let kept = session.keptEpoch { object["kept_epoch"] = .integer(kept.epoch) }
            print(JSONValue.object(object).serialized())
        } else if case .classifier = plan.model {
            print(
                String(
                    format: "%@: test accuracy %.4f, loss %.4f, %.2f s/epoch, saved to %@", plan.model.rawValue,
                    last?.value("test_accuracy") ?? 0, last?.value("test_loss") ?? 0, secondsPerEpoch,
                    plan.run.path))
        } else {
            print(
                "\(plan.model.rawValue): " + test.map { "test \($0.name) \(format($0.value))" }.joined(separator: ", ")
                    + String(format: ", %.2f s/epoch, saved to %@", secondsPerEpoch, plan.run.path))
        }
        return 0
    }

    /// The line logged at an epoch's end.
    static func epochLine(_ summary: EpochSummary, session: TrainingSession) -> String {
        let plan = session.plan
        switch plan.model {
        case .classifier:
            let robustness =
                summary.value("train_pgd_accuracy").map { pgd in
                    String(
                        format: "  train_fgsm_accuracy %.4f  train_pgd_accuracy %.4f",
                        summary.value("train_fgsm_accuracy") ?? 0, pgd)
                } ?? ""
            return String(
                format: "epoch %d/%d  train_loss %.4f  test_loss %.4f  test_accuracy %.4f%@  %.2f s", summary.epoch,
                plan.epochs, summary.value("train_loss") ?? 0, summary.value("test_loss") ?? 0,
                summary.value("test_accuracy") ?? 0, robustness, summary.seconds)
        case .generative(.pca):
            return String(
                format: "pca k=%d: test mse %.6f, explained variance %.4f, %.2f s", plan.settings.latent,
                summary.value("test_mse") ?? 0, summary.value("test_explained_variance") ?? 0, summary.seconds)
        case .generative:
            return "epoch \(summary.epoch)/\(plan.epochs)  "
                + summary.metrics.map { "\($0.name) \(format($0.value))" }.joined(separator: "  ")
                + String(format: "  %.2f s", summary.seconds)
        }
    }

    /// The line that says catastrophic overfitting happened at the epoch just recorded
    /// (`CatastrophicOverfittingRule` on the training-batch FGSM and PGD accuracies); nil otherwise.
    static func collapseLine(_ session: TrainingSession) -> String? {
        let fgsm = session.metrics.column("train_fgsm_accuracy").map(\.value)
        let pgd = session.metrics.column("train_pgd_accuracy").map(\.value)
        let rule = CatastrophicOverfittingRule()
        guard let epoch = rule.firstCollapse(fgsm: fgsm, pgd: pgd), epoch == pgd.count else { return nil }
        let best = pgd.max() ?? 0
        return String(
            format:
                "catastrophic overfitting at epoch %d: training-batch PGD accuracy %.4f (best %.4f) while FGSM accuracy is %.4f%@",
            epoch, pgd[epoch - 1], best, fgsm[epoch - 1],
            session.plan.adversarial?.earlyStopPGD == true
                ? "; --early-stop-pgd will keep the best PGD epoch" : "; --early-stop-pgd would keep the best PGD epoch"
        )
    }

    /// What Ctrl-C (or SIGTERM, SIGHUP) leaves: the epoch saved last and the command that continues from it.
    static func interruptionNote(_ session: TrainingSession) -> String {
        interruptionNote(session.plan, completedEpochs: session.training.completedEpochs)
    }

    /// The same for `plan` with `done` epochs saved (before its session has loaded the data).
    static func interruptionNote(_ plan: TrainingPlan, completedEpochs done: Int) -> String {
        var resume =
            "manifold train \(plan.model.rawValue) --run \(Sanitize.line(plan.run.name)) --epochs \(plan.epochs) --resume"
        // A resume given another --batch, --lr or --seed and stopped before its first epoch ended left config.json
        // with the run's old values, which the command printed would have trained with.
        if plan.isResume && done == plan.completedEpochs, let saved = try? plan.run.readConfig() {
            if saved["batch"]?.integerValue != plan.batch { resume += " --batch \(plan.batch)" }
            if saved["lr"]?.doubleValue != plan.learningRate { resume += " --lr \(plan.learningRate)" }
            if saved["seed"]?.stringValue != String(plan.seed) { resume += " --seed \(plan.seed)" }
        }
        guard done > plan.completedEpochs || plan.isResume else {
            return "interrupted before the first epoch ended: nothing was saved"
        }
        return
            "interrupted: epoch \(done) of \(plan.epochs) is saved in \(plan.run.path) (the epoch under way is lost); continue with: \(resume)"
    }

    static func format(_ value: Double) -> String {
        Swift.abs(value) >= 100 ? String(format: "%.2f", value) : String(format: "%.6g", value)
    }
}

/// Resolves a run named on the command line; a malformed name is a usage error (exit 2) naming
/// `argument`: the option that took it (`--run`, `--with`, ...), or the command for a RUN word (`eval`).
/// A runs folder that is a file is a runtime error (exit 1) naming it, and `$MANIFOLD_RUNS` when that set it.
func resolveRunArgument(_ text: String, argument: String = "--run") throws -> RunDirectory {
    try RunDirectory.checkRoot()
    do {
        return try RunDirectory.resolve(text)
    } catch {
        throw UsageError("\(argument.hasPrefix("--") ? optionLabel(argument) : "'\(argument)'"): \(error.description)")
    }
}
