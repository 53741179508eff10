import Base
import Datasets
import TensorCore

/// The options many commands share, declared once: `--data`, `--seed`, `--threads`, `--train-limit`,
/// `--test-limit`, `--json`, `--quiet`, `--run` and `--theme`. A command lists the ones it takes in its
/// `CommandDeclaration`, with `withHelp(_:)` where its help line says more than the shared one.
enum SharedOptions {
    /// Checked as it is read (a missing folder or an unknown name is a usage error); loaded later.
    static let data = CommandOption<String>(
        "data", kind: .string, placeholder: "D", default: "synthetic",
        help: "synthetic (embedded), fashion (Debian's dataset-fashion-mnist), or a folder with the four "
            + "MNIST-format IDX files (raw or .gz)"
    ) { text throws(UsageError) in
        guard !text.isEmpty else {
            throw UsageError("option '--data' is empty: give synthetic, fashion, or a folder path")
        }
        do throws(DatasetError) {
            try DatasetLoader.checkSpec(text)
        } catch {
            if case .unknownSpec(let name) = error {
                let hint = SpellingSuggestion.hint(for: name, among: ["synthetic", "fashion"])
                if !hint.isEmpty {
                    throw UsageError(
                        "option '--data': unknown dataset '\(Sanitize.line(name, limit: 40))'\(hint)"
                            + " (known: synthetic, fashion, or a folder path)")
                }
            }
            throw UsageError("option '--data': \(error.description)")
        }
        // A relative folder is kept absolute, so the run's config.json names it from anywhere.
        return DatasetLoader.absoluteSpec(text)
    }
    static let seed = CommandOption<UInt64>.seed("seed", default: 0, help: "seed for everything random")
    static let threads = CommandOption<Int>.integer(
        "threads", default: nil, in: IntegerRange(1...256), help: "compute threads (default: the cores there are)")
    static let trainLimit = CommandOption<Int>.integer(
        "train-limit", default: nil, in: IntegerRange(1...), help: "use only the first N training images")
    static let testLimit = CommandOption<Int>.integer(
        "test-limit", default: nil, in: IntegerRange(1...), help: "use only the first N test images")
    static let json = CommandOption<Bool>.flag("json", help: "print one JSON object with the results on stdout")
    static let quiet = CommandOption<Bool>.flag("quiet", help: "no progress on stderr")
    static let run = CommandOption<String>.string("run", "RUN", help: "a run: a name from 'manifold runs' or runs/NAME")
    static let theme = CommandOption<String>.string(
        "theme", "NAME|PATH",
        help: "dark (default), light, high-contrast, colorblind, or a JSON file; also $MANIFOLD_THEME")

    /// Sets the compute thread count when `--threads` was given.
    static func applyThreads(_ parsed: ParsedArguments) throws(UsageError) {
        if let count = try parsed.given(threads) { ComputeThreads.count = count }
    }
}

extension CommandOption {
    /// The same option with another help line (a shared option that means more in one command).
    func withHelp(_ help: String) -> CommandOption {
        CommandOption(
            declaration.name, kind: declaration.kind, placeholder: declaration.placeholder, default: defaultValue,
            defaultText: declaration.defaultText, help: help, convert: convert)
    }

    /// The same option with another default (and the help showing it).
    func withDefault(_ value: Value?, shown: String? = nil) -> CommandOption {
        CommandOption(
            declaration.name, kind: declaration.kind, placeholder: declaration.placeholder, default: value,
            defaultText: shown ?? value.map { "\($0)" }, help: declaration.help, convert: convert)
    }
}
