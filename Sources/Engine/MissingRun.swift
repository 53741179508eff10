/// A run named on the command line whose folder does not exist (`eval NAME`, `attack --run NAME`, `sample
/// --run NAME`, `train --resume`, ...): a usage error (exit 2) whichever command or option named it, as a
/// `--data` folder that does not exist is. A run that exists but whose files cannot be read is a `RunError`
/// (exit 1).
public struct MissingRun: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
