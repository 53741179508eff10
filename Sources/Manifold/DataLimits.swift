import Datasets

/// `--train-limit N` and `--test-limit N`: use only the first N images of each split (quick
/// experiments and tests). Read with the other options, so a bad value fails before any work.
struct DataLimits {
    let train: Int
    let test: Int

    init(_ parsed: ParsedArguments) throws {
        train = try parsed.given(SharedOptions.trainLimit) ?? .max
        test = try parsed.given(SharedOptions.testLimit) ?? .max
    }

    /// `dataset` cut to the limits (unchanged when they do not bite).
    func apply(to dataset: Dataset) -> Dataset {
        guard train < dataset.trainCount || test < dataset.testCount else { return dataset }
        return dataset.subset(train: min(train, dataset.trainCount), test: min(test, dataset.testCount))
    }
}
