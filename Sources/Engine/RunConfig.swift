import Base
import Datasets
import Foundation
import SafeTensors

/// The contents of a run's `config.json`: what was trained, on what, with which settings, how far.
public struct RunConfig: Sendable {
    public static let formatVersion = 1
    public var model: String
    /// What the user passed to `--data` (synthetic, fashion or a folder).
    public var data: String
    /// The dataset's own name.
    public var dataset: String
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double
    public var seed: UInt64
    public var epochsDone = 0
    public var classNames: [String] = []
    public var trainCount = 0
    public var testCount = 0
    public var created: String
    public var test: [String: Double] = [:]
    /// Model-specific settings (latent size, prior, ...).
    public var extra: [String: JSONValue] = [:]

    public init(
        model: String, data: String, dataset: String, epochs: Int, batch: Int, learningRate: Double, seed: UInt64
    ) {
        self.model = model
        self.data = data
        self.dataset = dataset
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
        self.seed = seed
        let formatter = ISO8601DateFormatter()
        created = formatter.string(from: Date())
    }

    /// A config for training on `dataset`, with its name, class names and split sizes filled in.
    public init(
        model: String, data: String, dataset: Dataset, epochs: Int, batch: Int, learningRate: Double, seed: UInt64
    ) {
        self.init(
            model: model, data: data, dataset: dataset.name, epochs: epochs, batch: batch, learningRate: learningRate,
            seed: seed)
        classNames = dataset.classNames
        trainCount = dataset.trainCount
        testCount = dataset.testCount
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "version": .integer(RunConfig.formatVersion), "model": .string(model), "data": .string(data),
            "dataset": .string(dataset), "epochs": .integer(epochs), "batch": .integer(batch),
            "lr": .number(learningRate),
            "seed": .string(String(seed)), "epochs_done": .integer(epochsDone),
            "class_names": .array(classNames.map { .string($0) }),
            "train_count": .integer(trainCount), "test_count": .integer(testCount), "created": .string(created),
            "test": .object(test.mapValues { .number($0) }),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }
}

/// `metrics.csv`: one row per epoch, rewritten whole (atomically) after each epoch.
public enum MetricsTable {
    public static let header = "epoch,step,seconds,train_loss,test_loss,test_accuracy"

    public static func row(_ summary: EpochSummary) -> String {
        let columns = ["train_loss", "test_loss", "test_accuracy"].map { name in
            summary.value(name).map { String(format: "%.6f", $0) } ?? ""
        }
        return ([String(summary.epoch), String(summary.step), String(format: "%.3f", summary.seconds)] + columns)
            .joined(separator: ",")
    }

    public static func text(rows: [String]) -> String {
        ([header] + rows).joined(separator: "\n") + "\n"
    }
}
