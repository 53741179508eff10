import Base

/// The data a run was trained on, as its config.json records it (`data`, `class_names`), to compare two
/// runs used together: a scorer or guide of samples, a transfer target, a purifier in front of a
/// classifier. Runs whose class names differ were trained on different data (Fashion-MNIST against
/// digits), so class K of one is not class K of the other and a purifier draws the other data's images;
/// the commands still run (the sizes fit) but say so in a note.
public struct RunDataComparison: Equatable, Sendable {
    /// config.json's `data`: what `--data` named.
    public let data: String
    /// config.json's `class_names`; empty where the config records none.
    public let classNames: [String]

    public init(config: [String: JSONValue]) {
        data = config["data"]?.stringValue ?? "synthetic"
        classNames = config["class_names"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The data of `run`'s config.json, or nil where it cannot be read (the command's own loading reports that).
    public init?(run: RunDirectory) {
        guard let config = try? run.readConfig() else { return nil }
        self.init(config: config)
    }

    /// A one-line note (`note: ...`) when `other` (run `otherRun`, named by `option`, quoted as the
    /// message shows it) was trained on classes of other
    /// names than this run (`role`, e.g. "the classifier" or "run 'd'"); nil when the names agree or either
    /// config lacks them. Data named differently with the same classes (the synthetic digits and an IDX
    /// folder of digits) agree.
    public func note(option: String, otherRun: String, other: RunDataComparison, role: String) -> String? {
        guard !classNames.isEmpty, !other.classNames.isEmpty, classNames != other.classNames else { return nil }
        return "note: \(option) run '\(Sanitize.line(otherRun, limit: 80))' was trained on \(other.summary), "
            + "\(role) on \(summary): their classes differ"
    }

    /// The data and its first three class names, e.g. `fashion (T-shirt/top, Trouser, Pullover, ...)`.
    var summary: String {
        let shown = classNames.prefix(3).map { Sanitize.line($0, limit: 20) }.joined(separator: ", ")
        return "\(Sanitize.line(data, limit: 60)) (\(shown)\(classNames.count > 3 ? ", ..." : ""))"
    }
}
