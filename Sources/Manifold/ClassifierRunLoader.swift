import Base
import Datasets
import Engine
import Models
import SafeTensors
import TensorCore

/// Loads a saved classifier run (config, weights) and the dataset to attack it with.
struct LoadedClassifierRun {
    var run: RunDirectory
    var model: Classifier
    var dataSpec: String

    /// Opens RUN: a missing folder or a run that is not a classifier is a runtime error naming it.
    static func load(_ text: String, option: String) throws -> LoadedClassifierRun {
        let run = try resolveRunArgument(text)
        guard run.exists else { throw RuntimeError("\(option): no run folder '\(run.path)' (see 'manifold runs')") }
        let config = try run.readConfig()
        let modelName = config["model"]?.stringValue ?? ""
        guard let kind = Classifier.Kind(rawValue: modelName) else {
            throw RuntimeError(
                "\(option): run '\(Sanitize.line(run.name))' is a '\(Sanitize.line(modelName))' model, not a classifier (mlp, cnn)"
            )
        }
        let height = config["image_height"]?.integerValue ?? 28
        let width = config["image_width"]?.integerValue ?? 28
        let classes = config["class_names"]?.arrayValue?.count ?? 10
        guard (1...4096).contains(height), (1...4096).contains(width), (2...10_000).contains(classes) else {
            throw RuntimeError("\(run.file("config.json")): implausible image size or class count")
        }
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(
            kind: kind, imageHeight: height, imageWidth: width, classCount: classes, generator: &generator)
        try RunCheckpoint.load(run: run, module: model)
        return LoadedClassifierRun(run: run, model: model, dataSpec: config["data"]?.stringValue ?? "synthetic")
    }

    /// The run's dataset (or `override`), cut to the run's test subset as `eval` does.
    func dataset(override: String?, seed: UInt64) throws -> Dataset {
        let config = try run.readConfig()
        let dataSeed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? seed
        var dataset = try DatasetLoader.load(override ?? dataSpec, seed: dataSeed)
        if override == nil, let testCount = config["test_count"]?.integerValue, testCount >= 1, testCount < dataset.testCount {
            let trainCount = min(dataset.trainCount, config["train_count"]?.integerValue ?? dataset.trainCount)
            dataset = dataset.subset(train: trainCount, test: testCount)
        }
        return dataset
    }
}
