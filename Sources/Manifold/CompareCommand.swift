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
        let seed = try parsed.value(SharedOptions.seed)
        let limits = try DataLimits(parsed)
        try SharedOptions.applyThreads(parsed)
        let aeRun = try parsed.given(Options.aeRun).map { try resolveRunArgument($0) }
        let pcaRun = try parsed.given(Options.pcaRun).map { try resolveRunArgument($0) }
        let json = parsed.has(SharedOptions.json)

        var dataSpec = try parsed.given(SharedOptions.data)
        var aeModel: Autoencoder?
        var pcaModel: PCA?
        var aeEpochs = epochs
        // The k of each saved run, to refuse comparing different code sizes.
        var savedLatents: [(run: RunDirectory, latent: Int)] = []
        for (run, expected) in [(aeRun, GenerativeKind.ae), (pcaRun, .pca)] {
            guard let run else { continue }
            let loaded = try GenerativeFactory.load(run: run)
            guard loaded.kind == expected else {
                throw RuntimeError("run '\(run.path)' is a '\(loaded.kind.rawValue)' model, not '\(expected.rawValue)'")
            }
            if let givenLatent, loaded.settings.latent != givenLatent {
                throw RuntimeError("run '\(run.path)' has latent size \(loaded.settings.latent), not \(givenLatent)")
            }
            if let other = savedLatents.first, other.latent != loaded.settings.latent {
                throw RuntimeError(
                    "runs '\(other.run.path)' (k = \(other.latent)) and '\(run.path)' (k = \(loaded.settings.latent)) "
                        + "have different code sizes; compare needs the same k")
            }
            savedLatents.append((run, loaded.settings.latent))
            if dataSpec == nil, let data = loaded.config["data"]?.stringValue { dataSpec = data }
            if expected == .ae {
                aeModel = loaded.model as? Autoencoder
                aeEpochs = loaded.config["epochs_done"]?.integerValue ?? 0
            } else {
                pcaModel = loaded.model as? PCA
            }
        }
        let latent = givenLatent ?? savedLatents.first?.latent ?? Options.latent.defaultValue!
        let dataset = limits.apply(
            to: try DatasetLoader.load(dataSpec ?? SharedOptions.data.defaultValue!, seed: seed))
        let progress = ProgressReporter(label: "compare", quiet: parsed.has(SharedOptions.quiet) || json)
        var aeSeconds = 0.0
        var pcaSeconds = 0.0
        if pcaModel == nil {
            let start = Date()
            pcaModel = PCA.fit(
                images: dataset.trainImages, features: dataset.pixelCount, components: min(latent, dataset.trainCount),
                seed: seed)
            pcaSeconds = Date().timeIntervalSince(start)
        }
        if aeModel == nil {
            var generator = RandomGenerator(seed: seed)
            let model = Autoencoder(pixels: dataset.pixelCount, latent: latent, generator: &generator)
            let training = GenerativeTraining(
                model: model, dataset: dataset, batchSize: batch, learningRate: Float(learningRate), epochs: epochs,
                seed: seed)
            let start = Date()
            while !training.isFinished {
                let report = try training.step()
                progress.update(
                    done: training.progress.done, total: training.progress.total,
                    detail: String(format: "loss %.4f", report.metrics["loss"] ?? 0))
                if let summary = report.epochSummary {
                    progress.log(
                        String(
                            format: "ae epoch %d/%d  test_mse %.6f", summary.epoch, epochs,
                            summary.value("test_mse") ?? 0))
                }
            }
            aeSeconds = Date().timeIntervalSince(start)
            aeModel = model
        }
        let aeError = Autoencoder.reconstructionError(images: dataset.testImages, pixels: dataset.pixelCount) {
            aeModel!($0)
        }
        let pcaError = pcaModel!.reconstructionError(images: dataset.testImages)
        if json {
            print(
                JSONValue.object([
                    "dataset": .string(dataset.name), "latent": .integer(latent),
                    "test_count": .integer(dataset.testCount),
                    "ae": .object([
                        "mse": .number(aeError), "seconds": .number(aeSeconds),
                        "epochs": .integer(aeEpochs), "run": aeRun.map { .string($0.path) } ?? .null,
                    ]),
                    "pca": .object([
                        "mse": .number(pcaError), "seconds": .number(pcaSeconds),
                        "explained_variance": .number(pcaModel!.explainedVarianceRatio()),
                        "run": pcaRun.map { .string($0.path) } ?? .null,
                    ]),
                ]).serialized())
        } else {
            print("test reconstruction MSE per pixel, k = \(latent), \(dataset.testCount) \(dataset.name) test images")
            print(
                String(format: "  ae   %.6f", aeError)
                    + (aeRun == nil
                        ? String(format: "  (%d epochs, %.1f s)", epochs, aeSeconds)
                        : "  (\(aeRun!.path), \(aeEpochs) epochs)")
            )
            print(
                String(format: "  pca  %.6f", pcaError)
                    + String(format: "  (explained variance %.4f)", pcaModel!.explainedVarianceRatio()))
            print(aeError < pcaError ? "  the autoencoder reconstructs better" : "  PCA reconstructs better")
        }
        return 0
    }
}
