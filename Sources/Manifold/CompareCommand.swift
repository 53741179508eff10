import Base
import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// `manifold compare ae pca --latent K`: the deep autoencoder against PCA at the same code size on the
/// same test images (MATH.md section 2), both test errors side by side. Trains both in memory, or reuses
/// saved runs (`--ae-run`, `--pca-run`).
enum CompareCommand {
    /// The options of `compare`, each declared once; the defaults are the autoencoder's own.
    enum Options {
        static let latent = CommandOption<Int>.integer(
            "latent", "K", default: GenerativeKind.ae.defaultLatent, in: IntegerRange(1...784),
            defaultText: "\(GenerativeKind.ae.defaultLatent), or the k of the saved runs",
            help: "code size of both models")
        static let epochs = CommandOption<Int>.integer(
            "epochs", default: GenerativeKind.ae.defaultEpochs, in: IntegerRange(1...10_000),
            help: "autoencoder training epochs")
        static let batch = CommandOption<Int>.integer(
            "batch", "B", default: 128, in: IntegerRange(1...65_536), help: "autoencoder mini-batch size")
        static let learningRate = CommandOption<Double>.number(
            "lr", default: GenerativeKind.ae.defaultLearningRate, in: 0...10, excludingLower: true,
            help: "autoencoder Adam learning rate")
        static let aeRun = CommandOption<String>.string("ae-run", "RUN", help: "a saved ae run instead of training one")
        static let pcaRun = CommandOption<String>.string(
            "pca-run", "RUN", help: "a saved pca run instead of fitting one")
    }

    static let declaration = CommandDeclaration(
        name: "compare", arguments: "ae pca",
        summary: "autoencoder against PCA at the same code size, test errors side by side", about: HelpText.compare,
        options: [
            Options.latent.declaration, SharedOptions.data.declaration, Options.epochs.declaration,
            Options.batch.declaration, Options.learningRate.declaration, SharedOptions.seed.declaration,
            Options.aeRun.declaration, Options.pcaRun.declaration, SharedOptions.trainLimit.declaration,
            SharedOptions.testLimit.declaration, SharedOptions.json.declaration, SharedOptions.quiet.declaration,
            SharedOptions.threads.declaration,
        ], maxPositional: 2)

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        guard Set(parsed.positional) == ["ae", "pca"], parsed.positional.count == 2 else {
            throw UsageError("'compare' compares two models: manifold compare ae pca --latent K")
        }
        let givenLatent = try parsed.given(Options.latent)
        let epochs = try parsed.value(Options.epochs)
        let batch = try parsed.value(Options.batch)
        let learningRate = try parsed.value(Options.learningRate)
        var seed = try parsed.value(SharedOptions.seed)
        let limits = try DataLimits(parsed)
        try SharedOptions.applyThreads(parsed)
        let aeRun = try parsed.given(Options.aeRun).map { try resolveRunArgument($0, argument: "--ae-run") }
        let pcaRun = try parsed.given(Options.pcaRun).map { try resolveRunArgument($0, argument: "--pca-run") }
        let json = parsed.has(SharedOptions.json)
        // A saved autoencoder is not trained: its training options would do nothing.
        if aeRun != nil,
            let option = [Options.epochs.name, Options.batch.name, Options.learningRate.name].first(
                where: parsed.isGiven)
        {
            throw UsageError("option '--\(option)' trains the autoencoder; '--ae-run' gives a saved one")
        }
        InterruptNote.set("interrupted: compare writes no files; nothing was saved")

        for (run, option) in [(aeRun, Options.aeRun.name), (pcaRun, Options.pcaRun.name)] {
            guard let run, !run.exists else { continue }
            throw MissingRun(
                "option '--\(option)': no run folder '\(run.path)'\(run.nameHint) (see 'manifold runs')")
        }
        let saved: AutoencoderPCAComparison.SavedRuns
        do {
            saved = try AutoencoderPCAComparison.SavedRuns.load(
                autoencoderRun: aeRun, pcaRun: pcaRun, latent: givenLatent)
        } catch let error as ComparisonRequestError {
            throw UsageError(error.description)
        }
        let latent = givenLatent ?? saved.latent ?? Options.latent.defaultValue!
        let givenData = try parsed.given(SharedOptions.data)
        let dataSpec = givenData ?? saved.dataSpec ?? SharedOptions.data.defaultValue!
        // A model made here learns the data it is given: one saved run of other data would be compared with a
        // model fitted to the images it never saw (two saved runs of different data are refused on loading).
        if (aeRun == nil) != (pcaRun == nil), let givenData, let savedData = saved.dataSpec,
            !TrainingPlan.isSameData(givenData, savedData)
        {
            let (savedRun, made) = aeRun.map { ($0, "the PCA fitted") } ?? (pcaRun!, "the autoencoder trained")
            throw UsageError(
                "option '--data' \(Sanitize.line(givenData, limit: 80)): run '\(Sanitize.line(savedRun.name))' was "
                    + "trained on '\(Sanitize.line(savedData, limit: 80))', so \(made) here would learn other images "
                    + "than it; leave '--data' out, or pass both '--ae-run' and '--pca-run' to measure saved runs on "
                    + "other data")
        }
        // Options that nothing acts on with saved runs are refused, not silently dropped: with both runs
        // saved nothing trains or fits, and with a saved autoencoder the seed only draws the synthetic digits
        // (PCA's fit has no randomness).
        if aeRun != nil && pcaRun != nil && parsed.isGiven(SharedOptions.trainLimit.name) {
            throw UsageError(
                "option '--train-limit' limits the images a model trains on; with '--ae-run' and '--pca-run' "
                    + "nothing trains or fits, so drop it")
        }
        if aeRun != nil && !DatasetLoader.isSeeded(dataSpec) && parsed.isGiven(SharedOptions.seed.name) {
            throw UsageError(
                "option '--seed' seeds the autoencoder's training and draws the synthetic digits; '--ae-run' gives "
                    + "a saved autoencoder and '\(Sanitize.line(dataSpec, limit: 80))' is not drawn from a seed, "
                    + "so drop it")
        }
        // Saved runs on the synthetic digits are measured on the digits their seed drew (as eval does); a
        // model trained here learns those digits too.
        if let savedSeed = saved.dataSeed, DatasetLoader.isSeeded(dataSpec) {
            if parsed.isGiven(SharedOptions.seed.name) && seed != savedSeed {
                throw UsageError(
                    "option '--seed' \(seed) would draw other synthetic digits than the saved run was trained on "
                        + "(seed \(savedSeed)); drop '--seed' or give \(savedSeed)")
            }
            seed = savedSeed
        }
        var full = try DatasetLoader.load(dataSpec, seed: seed)
        try saved.checkImageSize(of: full, dataSpec: dataSpec)
        // Saved runs trained with --test-limit are measured on that subset (as eval and attack do), unless
        // --data or --test-limit says otherwise; only the test split is cut.
        var limitNote: String?
        if let limiting = saved.testLimitRun {
            let testSet = RunTestSet(
                run: limiting.run, config: limiting.config.filter { $0.key == "test_count" }, full: full,
                dataSpec: dataSpec, useRunLimits: givenData == nil && !parsed.isGiven(SharedOptions.testLimit.name))
            (full, limitNote) = (testSet.dataset, testSet.limitNote)
        }
        let dataset = limits.apply(to: full)
        let progress = ProgressReporter(label: "compare", quiet: parsed.has(SharedOptions.quiet) || json)
        let comparison = AutoencoderPCAComparison(
            dataset: dataset, latent: latent, epochs: epochs, batch: batch, learningRate: learningRate, seed: seed)
        let result: AutoencoderPCAComparison.Result
        do {
            result = try comparison.run(
                saved: saved,
                step: { done, total, loss in
                    progress.update(done: done, total: total, detail: String(format: "loss %.4f", loss))
                },
                epochEnd: { summary in
                    progress.log(
                        String(
                            format: "ae epoch %d/%d  test_mse %.6f", summary.epoch, epochs,
                            summary.value("test_mse") ?? 0))
                })
        } catch let error as ComparisonRequestError {
            throw UsageError(error.description)
        }
        if let limitNote, !parsed.has(SharedOptions.quiet) { printError(limitNote) }
        if json {
            var object: [String: JSONValue] = [
                "dataset": .string(dataset.name), "latent": .integer(latent),
                "test_count": .integer(dataset.testCount),
                "ae": .object([
                    "mse": .number(result.autoencoderError), "seconds": .number(result.autoencoderSeconds),
                    "epochs": .integer(result.autoencoderEpochs), "run": aeRun.map { .string($0.path) } ?? .null,
                ]),
                "pca": .object([
                    "mse": .number(result.pcaError), "seconds": .number(result.pcaSeconds),
                    "explained_variance": .number(result.explainedVariance),
                    "run": pcaRun.map { .string($0.path) } ?? .null,
                ]),
            ]
            if let limitNote { object["test_images_note"] = .string(String(limitNote.dropFirst("note: ".count))) }
            print(JSONValue.object(object).serialized())
        } else {
            print("test reconstruction MSE per pixel, k = \(latent), \(dataset.testCount) \(dataset.name) test images")
            print(
                String(format: "  ae   %.6f", result.autoencoderError)
                    + (aeRun.map { "  (\($0.path), \(counted(result.autoencoderEpochs, "epoch")))" }
                        ?? String(format: "  (%@, %.1f s)", counted(epochs, "epoch"), result.autoencoderSeconds)))
            print(
                String(format: "  pca  %.6f", result.pcaError)
                    + String(format: "  (explained variance %.4f)", result.explainedVariance))
            print(
                result.autoencoderError < result.pcaError
                    ? "  the autoencoder reconstructs better" : "  PCA reconstructs better")
        }
        return 0
    }
}
