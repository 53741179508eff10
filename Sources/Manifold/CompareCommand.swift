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
    static let valueOptions: Set<String> = [
        "latent", "data", "epochs", "batch", "lr", "seed", "ae-run", "pca-run", "threads", "train-limit", "test-limit",
    ]
    static let flagOptions: Set<String> = ["json", "quiet"]

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        guard Set(parsed.positional) == ["ae", "pca"], parsed.positional.count == 2 else {
            throw UsageError("'compare' compares two models: manifold compare ae pca --latent K")
        }
        let latent = try parsed.integer("latent", default: 30, in: 1...784)
        let epochs = try parsed.integer("epochs", default: 5, in: 1...10_000)
        let batch = try parsed.integer("batch", default: 128, in: 1...65_536)
        let learningRate = try parsed.number("lr", default: 1e-3, in: 0...10, excludingLower: true)
        let seed = try parsed.seed(default: 0)
        let limits = try DataLimits(parsed)
        try applyThreads(parsed)
        let aeRun = try parsed.string("ae-run").map { try resolveRunArgument($0) }
        let pcaRun = try parsed.string("pca-run").map { try resolveRunArgument($0) }

        var dataSpec = parsed.string("data") ?? "synthetic"
        var aeModel: Autoencoder?
        var pcaModel: PCA?
        for (run, expected) in [(aeRun, GenerativeKind.ae), (pcaRun, .pca)] {
            guard let run else { continue }
            let loaded = try GenerativeFactory.load(run: run)
            guard loaded.kind == expected else {
                throw RuntimeError("run '\(run.path)' is a '\(loaded.kind.rawValue)' model, not '\(expected.rawValue)'")
            }
            guard loaded.settings.latent == latent || parsed.string("latent") == nil else {
                throw RuntimeError("run '\(run.path)' has latent size \(loaded.settings.latent), not \(latent)")
            }
            if parsed.string("data") == nil, let data = loaded.config["data"]?.stringValue { dataSpec = data }
            if expected == .ae { aeModel = loaded.model as? Autoencoder } else { pcaModel = loaded.model as? PCA }
        }
        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: seed))
        let progress = ProgressReporter(label: "compare", quiet: parsed.has("quiet") || parsed.has("json"))
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
            let model = Autoencoder(
                pixels: dataset.pixelCount, latent: latent, learningRate: Float(learningRate), generator: &generator)
            let training = GenerativeTraining(
                model: model, dataset: dataset, batchSize: batch, epochs: epochs, seed: seed)
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
        if parsed.has("json") {
            print(
                JSONValue.object([
                    "dataset": .string(dataset.name), "latent": .integer(latent),
                    "test_count": .integer(dataset.testCount),
                    "ae": .object([
                        "mse": .number(aeError), "seconds": .number(aeSeconds),
                        "epochs": aeRun == nil ? .integer(epochs) : .null,
                    ]),
                    "pca": .object([
                        "mse": .number(pcaError), "seconds": .number(pcaSeconds),
                        "explained_variance": .number(pcaModel!.explainedVarianceRatio()),
                    ]),
                ]).serialized())
        } else {
            print("test reconstruction MSE per pixel, k = \(latent), \(dataset.testCount) \(dataset.name) test images")
            print(
                String(format: "  ae   %.6f", aeError)
                    + (aeRun == nil ? String(format: "  (%d epochs, %.1f s)", epochs, aeSeconds) : "  (\(aeRun!.path))")
            )
            print(
                String(format: "  pca  %.6f", pcaError)
                    + String(format: "  (explained variance %.4f)", pcaModel!.explainedVarianceRatio()))
            print(aeError < pcaError ? "  the autoencoder reconstructs better" : "  PCA reconstructs better")
        }
        return 0
    }
}
