import Base
import Datasets
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import Testing

@testable import Engine

/// The Runs screen's evaluation: an unchanged checkpoint reproduces the test metrics saved at the end
/// of training (same test images, same evaluation seed), for a generative model and a classifier.
@Suite struct RunEvaluationTests {
    @Test func reproducesTheSavedTestMetricsOfAnAutoencoderRun() throws {
        let root = NSTemporaryDirectory() + "runeval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try DatasetLoader.load("synthetic", seed: 0).subset(train: 256, test: 64)
        var generator = RandomGenerator(seed: 0)
        var settings = GenerativeSettings()
        settings.latent = 4
        let model = try GenerativeFactory.make(.ae, settings: settings, pixels: 784, generator: &generator)
        let training = GenerativeTraining(
            model: model, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: 1, seed: 0)
        var summary: EpochSummary?
        while !training.isFinished { summary = try training.step().epochSummary ?? summary }
        let run = RunDirectory(root: root, name: "ae-run")
        try run.create()
        var config = RunConfig(
            model: "ae", data: "synthetic", dataset: "synthetic", epochs: 1, batch: 128, learningRate: 1e-3, seed: 0)
        config.trainCount = 256
        config.testCount = 64
        config.epochsDone = 1
        config.extra = settings.extra(for: .ae)
        config.extra["pixels"] = .integer(784)
        let saved = try #require(summary).metrics.filter { $0.name.hasPrefix("test_") }
        config.test = Dictionary(uniqueKeysWithValues: saved.map { (String($0.name.dropFirst(5)), $0.value) })
        try RunCheckpoint.save(
            run: run, module: model, optimizers: training.optimizers, config: config, metrics: MetricsTable())

        let evaluation = RunEvaluation(run: run)
        #expect(!evaluation.isFinished)
        _ = try evaluation.step()
        #expect(evaluation.isFinished && evaluation.progress == (1, 1))
        let results = try #require(evaluation.results)
        #expect(!results.isEmpty)
        for result in results {
            let before = try #require(config.test[result.name])
            #expect(abs(result.value - before) <= 1e-9 * max(1, abs(before)), "\(result.name)")
        }
        var snapshot = Snapshot()
        evaluation.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.figures.contains { $0.name == "test images" && $0.value == "64" })
    }

    /// Runs' `e` reads the test split alone, as `manifold eval` does: it decoded the whole training split too
    /// (Fashion-MNIST's 60,000 images, about 190 MB, per `e`), which no evaluation looks at.
    @Test func readsTheTestSplitAlone() throws {
        let config: [String: JSONValue] = [
            "data": .string("synthetic"), "seed": .string("0"), "train_count": .integer(256),
            "test_count": .integer(64),
        ]
        let dataset = try RunEvaluation.dataset(of: config)
        #expect(dataset.trainCount == 0 && dataset.testCount == 64)
        let full = try DatasetLoader.load("synthetic", seed: 0, withTraining: false)
        #expect(dataset.testImages == Array(full.testImages[0..<(64 * 784)]))
    }

    /// Bug: `e` on a classifier whose finite weights overflow single precision (a checkpoint edited to hold
    /// 1e30s) showed "test accuracy" and "test loss nan" computed from NaN outputs; it is now the one line
    /// `eval` gives, naming the checkpoint.
    @Test func aClassifierWhoseOutputsOverflowIsRefused() throws {
        let root = NSTemporaryDirectory() + "runeval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = RunDirectory(root: root, name: "huge")
        try run.create()
        var generator = RandomGenerator(seed: 0)
        let classifier = Classifier(kind: .mlp, generator: &generator)
        for (_, tensor) in classifier.namedParameters {
            tensor.data.update(repeating: 1e30, count: tensor.shape.reduce(1, *))
        }
        var config = RunConfig(
            model: "mlp", data: "synthetic", dataset: "synthetic", epochs: 1, batch: 128, learningRate: 1e-3, seed: 0)
        config.trainCount = 64
        config.testCount = 16
        config.epochsDone = 1
        // A list of the classifier's ten classes, as every saved run has (an empty one `eval` refuses).
        config.classNames = (0..<10).map(String.init)
        try RunCheckpoint.save(
            run: run, module: classifier, optimizers: NamedOptimizers([]), config: config, metrics: MetricsTable())
        #expect {
            try RunEvaluation(run: run).step()
        } throws: {
            "\($0)".hasPrefix(run.file("model.safetensors") + ": the classifier's outputs are not finite")
        }
    }

    @Test func aMissingCheckpointIsAOneLineError() throws {
        let root = NSTemporaryDirectory() + "runeval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = RunDirectory(root: root, name: "empty")
        try run.create()
        var config = RunConfig(
            model: "mlp", data: "synthetic", dataset: "synthetic", epochs: 1, batch: 128, learningRate: 1e-3, seed: 0)
        config.testCount = 10
        try run.write(Array((config.json.serialized(pretty: true) + "\n").utf8), to: "config.json")
        #expect(throws: (any Error).self) { try RunEvaluation(run: run).step() }
    }

    /// Bug: `eval`, `attack --run` and `sample --run` on a run whose first epoch was still training (its folder
    /// made, no config.json yet) said "RUN/config.json: cannot open: No such file or directory", as if the run
    /// were broken, and `train --resume` of it said to train it without `--resume`, which the lock then
    /// refused; now they say the run has no saved epoch yet, and who trains it.
    @Test func aRunWithoutASavedEpochSaysSo() throws {
        let root = NSTemporaryDirectory() + "runeval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = RunDirectory(root: root, name: "training")
        try run.create()
        let expected = "run '\(run.path)' has no saved epoch yet (no config.json)"
        #expect { try run.readConfig() } throws: { "\($0)" == expected }
        #expect { try LoadedClassifierRun.load(run: run, option: "--run") } throws: { "\($0)" == expected }
        let lock = try RunLock(run: run)
        defer { lock.release() }
        #expect { try run.readConfig() } throws: {
            "\($0)" == expected + "; it is being trained by another job of this process"
        }
        var request = TrainingRequest(model: .classifier(.mlp))
        request.epochs = 2
        #expect {
            try TrainingPlan.resume(request, run: run)
        } throws: {
            "\($0)"
                == "run '\(run.path)' is being trained by another job of this process and has no saved epoch yet; wait for it to finish"
        }
    }
}
