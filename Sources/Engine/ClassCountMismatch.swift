/// Data with more classes than a saved classifier has outputs (a `--data` folder whose labels go further
/// than the run's): its labels would index past the classifier's outputs.
public struct ClassCountMismatch: Error, CustomStringConvertible {
    public let dataSpec: String
    public let dataClasses: Int
    public let runName: String
    public let runClasses: Int

    /// Throws when `dataClasses` exceeds `runClasses`; fewer classes than the classifier has are fine.
    public static func check(dataSpec: String, dataClasses: Int, runName: String, runClasses: Int) throws {
        guard dataClasses > runClasses else { return }
        throw ClassCountMismatch(dataSpec: dataSpec, dataClasses: dataClasses, runName: runName, runClasses: runClasses)
    }

    public var description: String {
        "'\(dataSpec)' has \(dataClasses) classes, but run '\(runName)' classifies \(runClasses)"
    }
}
