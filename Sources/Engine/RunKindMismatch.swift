/// A run named on the command line that holds another kind of model than the option takes (a ddpm run as
/// `attack --run`, a classifier as `sample --run`): a usage error (exit 2), as a missing run is
/// (`MissingRun`). A config.json whose `model` names no model at all is a damaged file: a `RunError` or
/// `RuntimeFault` (exit 1).
public struct RunKindMismatch: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }

    /// Whether `model` (config.json's `model`) is a kind this program trains, so that a run holding it was
    /// named by mistake rather than damaged.
    public static func isKnown(_ model: String) -> Bool { ModelKind(rawValue: model) != nil }
}
