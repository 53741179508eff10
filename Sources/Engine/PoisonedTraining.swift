import Attacks
import Base
import Datasets
import Foundation
import Models

/// A classifier trained on a poisoned training set and saved as a run that keeps what the poison did:
/// label flipping (a share of training labels replaced by other classes) or a backdoor (Gu, Dolan-Gavitt
/// & Garg 2017, BadNets: a trigger stamped on a share of the images, relabelled to `target`). The saved
/// config.json records the poison and the clean test accuracy (and, for a backdoor, the attack success
/// rate on triggered test images), so `runs` and `eval` show them.
public struct PoisonedTraining {
    public enum Method: String, CaseIterable, Sendable {
        case labelflip, backdoor
    }

    /// What one poisoned model measured, and where it was saved.
    public struct Outcome: Sendable {
        public let fraction: Double
        public let cleanAccuracy: Double
        public let testLoss: Double
        /// Backdoor only: triggered test images of other classes sent to the target.
        public let attackSuccessRate: Double?
        public let run: RunDirectory
    }

    public var method: Method
    public var kind: Classifier.Kind
    /// The `--data` value recorded in config.json.
    public var dataSpec: String
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double
    public var seed: UInt64
    /// Backdoor: the class triggered images are sent to.
    public var target: Int

    public init(
        method: Method, kind: Classifier.Kind, dataSpec: String, epochs: Int, batch: Int, learningRate: Double,
        seed: UInt64, target: Int
    ) {
        (self.method, self.kind, self.dataSpec) = (method, kind, dataSpec)
        (self.epochs, self.batch, self.learningRate, self.seed, self.target) = (
            epochs, batch, learningRate, seed, target
        )
    }

    /// The checkerboard backdoor for `dataset`'s image size.
    public func backdoor(for dataset: Dataset) -> BackdoorPoisoning {
        BackdoorPoisoning(
            trigger: .checkerboard(imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth),
            targetClass: target)
    }

    /// Refuses, before any training, a `run` that exists already or whose folder could not be made (a
    /// file or a symbolic link in its place).
    public static func checkNew(_ run: RunDirectory) throws(RunError) {
        if FileManager.default.fileExists(atPath: run.file("config.json")) {
            throw RunError("run '\(run.path)' exists already; pick another --run name")
        }
        try run.checkCreatable()
    }

    /// Poisons `fraction` of `dataset`'s training images, trains a fresh classifier on the result and
    /// saves it as `run` (which must not exist yet), holding the run's lock throughout; `progress(done, total)`
    /// is called after every step, `epochEnded` with each epoch's summary.
    /// - Throws: `RunError` when the run exists or is being trained, a training or file error otherwise.
    public func train(
        on dataset: Dataset, fraction: Double, run: RunDirectory, progress: (Int, Int) -> Void = { _, _ in },
        epochEnded: (EpochSummary) -> Void = { _ in }
    ) throws -> Outcome {
        try Self.checkNew(run)
        // Held while the model trains and is saved, as `train` holds it: a `train` or another `poison` into the
        // same run is refused meanwhile, instead of one silently replacing the other's files at the end.
        let lock = try RunLock(run: run)
        defer { lock.release() }
        let backdoor = backdoor(for: dataset)
        let poisoned =
            method == .backdoor
            ? backdoor.poison(dataset, fraction: fraction, seed: seed).dataset
            : LabelFlipPoisoning.poison(dataset, fraction: fraction, seed: seed).dataset
        let training = ClassifierTraining(
            kind: kind, dataset: poisoned, batchSize: batch, learningRate: Float(learningRate), epochs: epochs,
            seed: seed)
        var metrics = MetricsTable()
        var accuracy = 0.0
        var loss = 0.0
        while !training.isFinished {
            let report = try training.step()
            progress(training.progress.done, training.progress.total)
            if let summary = report.epochSummary {
                metrics.append(summary)
                epochEnded(summary)
                accuracy = summary.value("test_accuracy") ?? 0
                loss = summary.value("test_loss") ?? 0
            }
        }
        let model = training.model
        model.setTraining(false)
        let successRate = method == .backdoor ? backdoor.attackSuccessRate(model, on: dataset) : nil
        try run.create()
        var config = RunConfig(
            model: kind.rawValue, data: dataSpec, dataset: dataset, epochs: epochs, batch: batch,
            learningRate: learningRate, seed: seed)
        config.epochsDone = epochs
        config.extra["image_height"] = .integer(dataset.imageHeight)
        config.extra["image_width"] = .integer(dataset.imageWidth)
        config.test = ["accuracy": accuracy, "loss": loss]
        var poison: [String: JSONValue] = ["method": .string(method.rawValue), "fraction": .number(fraction)]
        if method == .backdoor {
            poison["target"] = .integer(target)
            poison["trigger"] = .string("checkerboard 4x4 bottom-right")
            config.test["attack_success_rate"] = successRate
        }
        config.extra["poison"] = .object(poison)
        try RunCheckpoint.save(
            run: run, module: model, optimizers: training.optimizers, config: config, metrics: metrics)
        return Outcome(
            fraction: fraction, cleanAccuracy: accuracy, testLoss: loss, attackSuccessRate: successRate, run: run)
    }
}
