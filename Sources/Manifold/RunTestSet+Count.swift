import Base
import Engine

extension RunTestSet {
    /// Refuses `count` images (option `--option`) beyond the test images the run is measured on, in one
    /// line that names the run's test images when they, not the dataset, set the bound.
    func checkCount(_ count: Int, option: String = "n", noun: String = "images") throws(UsageError) {
        guard count > dataset.testCount else { return }
        let asked = "'--\(option)' asks for \(count) \(noun) but "
        let name = Sanitize.line(dataset.name, limit: 80)
        guard limitNote == nil else {
            throw UsageError(
                asked + "run '\(Sanitize.line(runName, limit: 80))' was trained with \(dataset.testCount) test images "
                    + "(of the \(datasetTestCount) test images of '\(name)')")
        }
        throw UsageError(asked + "the test set of '\(name)' has \(dataset.testCount)")
    }
}
