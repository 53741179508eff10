import Base
import Datasets
import Models
import SafeTensors
import TensorCore

/// A saved classifier run (config, weights) and the dataset to measure or attack it with: what `attack`,
/// `eval` and the benchmarks load.
public struct LoadedClassifierRun {
    public var run: RunDirectory
    public var model: Classifier
    public var dataSpec: String

    /// Opens `run`; a missing folder is a `MissingRun`, a run of a generative model a `RunKindMismatch`, a
    /// model no command knows a `RunError`, each naming `option` (the command-line option that named the run).
    public static func load(run: RunDirectory, option: String) throws -> LoadedClassifierRun {
        guard run.exists else {
            throw MissingRun("\(optionLabel(option)): no run folder '\(run.path)'\(run.nameHint) (see 'manifold runs')")
        }
        let config = try run.readConfig()
        let modelName = config["model"]?.stringValue ?? ""
        guard let kind = Classifier.Kind(rawValue: modelName) else {
            let message =
                "\(optionLabel(option)): " + RunKindMismatch.classifierMessage(run: run.name, model: modelName)
            if RunKindMismatch.isKnown(modelName) { throw RunKindMismatch(message) }
            throw RunError(message)
        }
        let height = config["image_height"]?.integerValue ?? 28
        let width = config["image_width"]?.integerValue ?? 28
        let classes = config["class_names"]?.arrayValue?.count ?? 10
        guard (1...4096).contains(height), (1...4096).contains(width), (2...10_000).contains(classes) else {
            throw RunError("\(run.file("config.json")): implausible image size or class count")
        }
        if let problem = Classifier.sizeProblem(kind: kind, imageHeight: height, imageWidth: width) {
            throw RunError("\(run.file("config.json")): \(problem)")
        }
        let architecture = Classifier.Architecture.of(config)
        try RunCheckpoint.checkRoom(
            run: run,
            weights: Classifier.parameterCount(
                kind: kind, architecture: architecture, imageHeight: height, imageWidth: width, classCount: classes),
            sizes: "\(kind.rawValue) of \(height)x\(width) images, \(classes) classes")
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(
            kind: kind, architecture: architecture, imageHeight: height, imageWidth: width, classCount: classes,
            generator: &generator)
        try RunCheckpoint.load(run: run, module: model)
        return LoadedClassifierRun(run: run, model: model, dataSpec: config["data"]?.stringValue ?? "synthetic")
    }

    /// The run's dataset (or `override`), cut to the run's test subset as `eval` does.
    public func dataset(override: String?, seed: UInt64) throws -> Dataset {
        try testSet(override: override, seed: seed).dataset
    }

    /// The test images the run is measured on: its dataset (or `override`, whole), cut to the test
    /// subset it was trained with (`--test-limit`), with a note when that is fewer than the dataset has.
    /// `withTraining: false` leaves the training split empty (not read at all).
    /// - Throws: `ClassCountMismatch` for data with more classes than the classifier has, `ImageSizeMismatch`
    ///   for images of another size than it takes.
    public func testSet(override: String?, seed: UInt64, withTraining: Bool = true) throws -> RunTestSet {
        let config = try run.readConfig()
        let dataSeed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? seed
        let full = try DatasetLoader.load(override ?? dataSpec, seed: dataSeed, withTraining: withTraining)
        try ClassCountMismatch.check(
            dataSpec: override ?? dataSpec, dataClasses: full.classCount, runName: Sanitize.line(run.name),
            runClasses: model.classCount)
        try ImageSizeMismatch.check(
            dataSpec: override ?? dataSpec, dataSize: (full.imageHeight, full.imageWidth),
            runName: Sanitize.line(run.name), runSize: (model.imageHeight, model.imageWidth))
        return RunTestSet(
            run: run, config: config, full: full, dataSpec: override ?? dataSpec, useRunLimits: override == nil)
    }
}
