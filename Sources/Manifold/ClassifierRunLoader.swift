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
        try testSet(override: override, seed: seed).dataset
    }

    /// The test images the run is measured on: its dataset (or `override`, whole), cut to the test
    /// subset it was trained with (`--test-limit`), with a note when that is fewer than the dataset has.
    func testSet(override: String?, seed: UInt64) throws -> RunTestSet {
        let config = try run.readConfig()
        let dataSeed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? seed
        let full = try DatasetLoader.load(override ?? dataSpec, seed: dataSeed)
        return RunTestSet(
            run: run, config: config, full: full, dataSpec: override ?? dataSpec, useRunLimits: override == nil)
    }
}

/// The test images a saved classifier run is measured on (`attack`, `eval`): the run's dataset cut to
/// the test subset it was trained with, and how many the whole dataset has, so that a run trained
/// with `--test-limit 500` says it is measured on 500 images instead of doing so silently.
struct RunTestSet {
    let dataset: Dataset
    /// Test images of the whole dataset.
    let datasetTestCount: Int
    let runName: String

    /// The `--data` value that measures the run on all of them.
    let dataSpec: String

    init(run: RunDirectory, config: [String: JSONValue], full: Dataset, dataSpec: String, useRunLimits: Bool) {
        var dataset = full
        if useRunLimits, let testCount = config["test_count"]?.integerValue, testCount >= 1,
            testCount < full.testCount
        {
            let trainCount = min(full.trainCount, config["train_count"]?.integerValue ?? full.trainCount)
            dataset = full.subset(train: max(trainCount, 1), test: testCount)
        }
        self.dataset = dataset
        self.datasetTestCount = full.testCount
        self.runName = run.name
        self.dataSpec = dataSpec
    }

    /// One line for stderr when the run's test subset is smaller than the dataset's test set.
    var limitNote: String? {
        guard dataset.testCount < datasetTestCount else { return nil }
        return "note: run '\(Sanitize.line(runName, limit: 80))' was trained with --test-limit \(dataset.testCount): "
            + "using its first \(dataset.testCount) of the \(datasetTestCount) test images of "
            + "'\(Sanitize.line(dataset.name, limit: 80))' (--data \(Sanitize.line(dataSpec, limit: 200)) uses them all)"
    }

    /// `test_images`, and `test_images_note` when the run's subset is smaller than the dataset's.
    var jsonFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "test_images": .integer(dataset.testCount), "dataset_test_images": .integer(datasetTestCount),
        ]
        if let limitNote { fields["test_images_note"] = .string(String(limitNote.dropFirst("note: ".count))) }
        return fields
    }
}
