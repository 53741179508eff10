import Datasets

/// `--train-limit N` and `--test-limit N`: use only the first N images of each split (quick
/// experiments and tests). Read with the other options, so a bad value fails before any work.
struct DataLimits {
    let train: Int
    let test: Int

    init(_ parsed: ParsedArguments) throws {
        train = try parsed.integer("train-limit", default: Int.max, in: 1...Int.max)
        test = try parsed.integer("test-limit", default: Int.max, in: 1...Int.max)
    }

    /// `dataset` cut to the limits (unchanged when they do not bite).
    func apply(to dataset: Dataset) -> Dataset {
        guard train < dataset.trainCount || test < dataset.testCount else { return dataset }
        return dataset.subset(train: min(train, dataset.trainCount), test: min(test, dataset.testCount))
    }
}
