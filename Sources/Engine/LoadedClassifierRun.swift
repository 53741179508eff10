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
        let recorded = try recordedShape(config, run: run)
        let (height, width, classes) = (recorded.height ?? 28, recorded.width ?? 28, recorded.classes ?? 10)
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

    /// config.json's `image_height`, `image_width` and class count (the length of `class_names`), each nil
    /// when the key is missing (a run from before it was recorded). One that is there but is no whole number
    /// from 1 to 4096 (a list of 2 to 10,000 names) is refused, naming the key: `eval`, `attack` and the
    /// workbench refuse the same damaged configs.
    public static func recordedShape(_ config: [String: JSONValue], run: RunDirectory) throws(RunError) -> (
        height: Int?, width: Int?, classes: Int?
    ) {
        func side(_ key: String) throws(RunError) -> Int? {
            guard let value = config[key] else { return nil }
            guard let side = value.integerValue, (1...4096).contains(side) else {
                throw RunError(
                    "\(run.file("config.json")): \(key) must be a whole number from 1 to 4096, got \(Sanitize.line(value.serialized(), limit: 40))"
                )
            }
            return side
        }
        let height = try side("image_height")
        let width = try side("image_width")
        guard let names = config["class_names"] else { return (height, width, nil) }
        guard let count = names.arrayValue?.count, (2...10_000).contains(count) else {
            throw RunError(
                "\(run.file("config.json")): class_names must list 2 to 10000 class names, got \(Sanitize.line(names.serialized(), limit: 40))"
            )
        }
        return (height, width, count)
    }

    /// Refuses `data` (read from `dataSpec`) that the classifier cannot take: more classes than it has
    /// outputs (fewer are fine) or images of another size.
    /// - Throws: `ClassCountMismatch` or `ImageSizeMismatch` (`RunDataMismatch.reworded` words them for a
    ///   run's own data).
    public func check(_ data: Dataset, dataSpec: String) throws {
        try ClassCountMismatch.check(
            dataSpec: dataSpec, dataClasses: data.classCount, runName: Sanitize.line(run.name),
            runClasses: model.classCount)
        try ImageSizeMismatch.check(
            dataSpec: dataSpec, dataSize: (data.imageHeight, data.imageWidth), runName: Sanitize.line(run.name),
            runSize: (model.imageHeight, model.imageWidth))
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
        try check(full, dataSpec: override ?? dataSpec)
        return RunTestSet(
            run: run, config: config, full: full, dataSpec: override ?? dataSpec, useRunLimits: override == nil)
    }
}
