/// A saved run's own data (config.json's `data`) that no longer fits the run: a data folder replaced by
/// one of more classes or of another image size since the run was trained (or a config.json edited since).
/// `eval` and `attack` without `--data` and the workbench (which has no `--data`) say it in the same line.
public enum RunDataMismatch {
    /// The one line for `mismatch` (a `ClassCountMismatch`'s or `ImageSizeMismatch`'s description) found on
    /// the run's own data: it names config.json's `data` as the source and says that it changed.
    public static func message(_ mismatch: String) -> String {
        "the run's data (config.json's 'data'): \(mismatch); the data or config.json changed since it was trained"
    }

    /// Runs `body`; a `ClassCountMismatch` or `ImageSizeMismatch` it throws becomes a `RunError` worded by
    /// `message(_:)`, so a workbench job fails with the line the CLI gives for the same run and data.
    public static func reworded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ClassCountMismatch {
            throw RunError(message(error.description))
        } catch let error as ImageSizeMismatch {
            throw RunError(message(error.description))
        }
    }
}
