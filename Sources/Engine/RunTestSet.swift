import Base
import Datasets

/// The test images a saved classifier run is measured on (`attack`, `eval`): the run's dataset cut to
/// the test subset it was trained with (config.json's `test_count`), and how many the whole dataset has, so
/// that a run trained with 500 test images says it is measured on 500 instead of doing so silently. The
/// config does not record why there were 500 (`--test-limit 500`, or a data folder that had 500 test images
/// then and has more now), so the note says how many, not why.
public struct RunTestSet {
    public let dataset: Dataset
    /// Test images of the whole dataset.
    public let datasetTestCount: Int
    public let runName: String

    /// The `--data` value that measures the run on all of them.
    public let dataSpec: String

    public init(run: RunDirectory, config: [String: JSONValue], full: Dataset, dataSpec: String, useRunLimits: Bool) {
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
    public var limitNote: String? {
        guard dataset.testCount < datasetTestCount else { return nil }
        return "note: run '\(Sanitize.line(runName, limit: 80))' was trained with \(dataset.testCount) test images: "
            + "using its first \(dataset.testCount) of the \(datasetTestCount) test images of "
            + "'\(Sanitize.line(dataset.name, limit: 80))' (--data \(Sanitize.line(dataSpec, limit: 200)) uses them all)"
    }

    /// `test_images`, and `test_images_note` when the run's subset is smaller than the dataset's.
    public var jsonFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "test_images": .integer(dataset.testCount), "dataset_test_images": .integer(datasetTestCount),
        ]
        if let limitNote { fields["test_images_note"] = .string(String(limitNote.dropFirst("note: ".count))) }
        return fields
    }
}
