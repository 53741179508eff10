import Base
import Models

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

    /// The one wording of every message about a run of the wrong kind: "run 'NAME' (model KIND) is not
    /// WHAT (K1, K2 or K3)", e.g. "run 'g' (model ddpm) is not a classifier (mlp or cnn)".
    /// - Parameters:
    ///   - run: the run's name or path, as the message names it.
    ///   - model: config.json's `model`; empty when it has none.
    ///   - what: a noun phrase with its article ("a classifier", "a purifier").
    ///   - kinds: the models that would have done.
    public static func message(run: String, model: String, isNot what: String, kinds: [String]) -> String {
        "\(label(run: run, model: model)) is not \(what) (\(list(kinds)))"
    }

    /// The message for a run that should have been a classifier: "... is not a classifier (mlp or cnn)".
    public static func classifierMessage(run: String, model: String) -> String {
        message(run: run, model: model, isNot: "a classifier", kinds: Classifier.Kind.allCases.map(\.rawValue))
    }

    /// "run 'NAME' (model KIND)", or "run 'NAME' (no model)" for a config.json without one; both made safe
    /// for one terminal line.
    public static func label(run: String, model: String) -> String {
        let modelText = model.isEmpty ? "no model" : "model \(Sanitize.line(model, limit: 40))"
        return "run '\(Sanitize.line(run))' (\(modelText))"
    }

    /// The kinds as English lists them: "a", "a or b", "a, b or c".
    public static func list(_ kinds: [String]) -> String {
        guard let last = kinds.last else { return "" }
        guard kinds.count > 1 else { return last }
        return kinds.dropLast().joined(separator: ", ") + " or " + last
    }
}
