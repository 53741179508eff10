import Base

/// What an option's value is, as the parser and the help see it.
enum OptionKind: Sendable, Equatable {
    /// Present or absent; takes no value.
    case flag
    /// A whole number.
    case integer
    /// A finite number.
    case number
    /// Free text: a run name, a path.
    case string
    /// One word from a fixed list.
    case choice([String])
    /// Comma-separated values.
    case list
}

/// One option as the parser and `help COMMAND` need it: its name (without dashes), its kind, the
/// placeholder of its value, a help line and the default shown beside it.
struct OptionDeclaration: Sendable, Equatable {
    let name: String
    let kind: OptionKind
    /// How the value is written in the usage line (`N`, `RUN`, `inf|2`); empty for a flag.
    let placeholder: String
    let help: String
    /// The default as the help shows it (`64`, `0.001`), or nil when there is none to show.
    let defaultText: String?

    var takesValue: Bool { kind != .flag }

    /// `--name PLACEHOLDER` (or `--name` for a flag), as the usage line and the option list write it.
    var synopsis: String { takesValue ? "--\(name) \(placeholder)" : "--\(name)" }
}

/// A whole-number range with an optional upper end, so an error says "at least 1" rather than
/// "between 1 and 9223372036854775807".
struct IntegerRange: Sendable, Equatable {
    let lowerBound: Int
    let upperBound: Int?

    init(_ range: ClosedRange<Int>) {
        lowerBound = range.lowerBound
        upperBound = range.upperBound == Int.max ? nil : range.upperBound
    }

    init(_ range: PartialRangeFrom<Int>) {
        lowerBound = range.lowerBound
        upperBound = nil
    }

    func contains(_ value: Int) -> Bool { value >= lowerBound && value <= (upperBound ?? Int.max) }

    /// "at least 1" or "between 1 and 10000", as an error message writes it.
    var phrase: String {
        guard let upperBound else { return "at least \(lowerBound)" }
        return "between \(lowerBound) and \(upperBound)"
    }
}

/// A declared option with a typed value: its declaration, its default, and how the text of the
/// command line becomes a value (throwing a one-line `UsageError` that names the option).
///
/// Commands keep their options as static constants and read them through `ParsedArguments.value`,
/// so a name, a range and a default are each written once.
struct CommandOption<Value: Sendable>: Sendable {
    let declaration: OptionDeclaration
    /// The value when the option is absent; nil where absence means "not given" (a run name).
    let defaultValue: Value?
    let convert: @Sendable (String) throws(UsageError) -> Value

    var name: String { declaration.name }

    init(
        _ name: String, kind: OptionKind, placeholder: String, default defaultValue: Value?, defaultText: String? = nil,
        help: String, convert: @escaping @Sendable (String) throws(UsageError) -> Value
    ) {
        self.declaration = OptionDeclaration(
            name: name, kind: kind, placeholder: placeholder, help: help,
            defaultText: kind == .flag ? nil : defaultText ?? defaultValue.map { "\($0)" })
        self.defaultValue = defaultValue
        self.convert = convert
    }
}

extension CommandOption where Value == Bool {
    /// A flag: true when given.
    static func flag(_ name: String, help: String) -> CommandOption {
        CommandOption(name, kind: .flag, placeholder: "", default: false, defaultText: nil, help: help) { _ in true }
    }
}

extension CommandOption where Value == Int {
    /// A whole number within `range`.
    static func integer(
        _ name: String, _ placeholder: String = "N", default defaultValue: Int?, in range: IntegerRange,
        defaultText: String? = nil, help: String
    ) -> CommandOption {
        CommandOption(
            name, kind: .integer, placeholder: placeholder, default: defaultValue, defaultText: defaultText, help: help
        ) { text throws(UsageError) in
            guard let value = Int(text) else {
                throw UsageError("option '--\(name)' needs a whole number, got '\(Sanitize.line(text, limit: 40))'")
            }
            try CommandOption.check(value, in: range, name: name)
            return value
        }
    }

    /// Fails unless `value` lies in `range`, naming option `name`.
    static func check(_ value: Int, in range: IntegerRange, name: String) throws(UsageError) {
        guard range.contains(value) else {
            throw UsageError("option '--\(name)' must be \(range.phrase), got \(value)")
        }
    }
}

extension CommandOption where Value == Double {
    /// A finite number within `range`; `excludingLower` leaves out its lower end (a step size of 0).
    /// `upperText` names the upper end in messages where the data sets the real one later (an L2 radius:
    /// `sqrt(H x W)`, where the parser's 100000 was quoted and 50000 then refused as above 28).
    static func number(
        _ name: String, _ placeholder: String = "X", default defaultValue: Double?, in range: ClosedRange<Double>,
        excludingLower: Bool = false, upperText: String? = nil, defaultText: String? = nil, help: String
    ) -> CommandOption {
        let upper = upperText ?? "\(range.upperBound)"
        return CommandOption(
            name, kind: .number, placeholder: placeholder, default: defaultValue, defaultText: defaultText, help: help
        ) { text throws(UsageError) in
            guard isDecimalNumber(text), let value = Double(text), value.isFinite else {
                throw UsageError("option '--\(name)' needs a number, got '\(Sanitize.line(text, limit: 40))'")
            }
            guard range.contains(value), !(excludingLower && value == range.lowerBound) else {
                let low = excludingLower ? "(\(range.lowerBound)" : "[\(range.lowerBound)"
                throw UsageError("option '--\(name)' must be in \(low), \(upper)], got \(text)")
            }
            // The models and attacks compute in single precision: a value that rounds to the excluded
            // lower end there (1e-50 is 0 as a Float) is that end.
            if excludingLower && Float(value) == Float(range.lowerBound) {
                throw UsageError(
                    "option '--\(name)' must be in (\(range.lowerBound), \(upper)], got \(text), which is \(Float(range.lowerBound)) in single precision"
                )
            }
            // Above 0 but below single precision's smallest normal number (1e-39 is subnormal there): the
            // Langevin sampler refused it later as a runtime error (exit 1) that named no option.
            if excludingLower && range.lowerBound == 0 && abs(Float(value)) < Float.leastNormalMagnitude {
                throw UsageError(
                    "option '--\(name)' must be in (\(range.lowerBound), \(upper)], got \(text), which is below single precision's smallest normal number (\(Float.leastNormalMagnitude))"
                )
            }
            return value
        }
    }

    /// Comma-separated numbers, each within `range` and listed once (for example `--fractions 0,0.1,0.2`).
    static func numbers(
        _ name: String, _ placeholder: String = "X1,X2,..", in range: ClosedRange<Double>, help: String
    ) -> CommandOption<[Double]> {
        CommandOption<[Double]>(name, kind: .list, placeholder: placeholder, default: nil, help: help) {
            text throws(UsageError) in
            var values: [Double] = []
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard isDecimalNumber(part), let value = Double(part), range.contains(value) else {
                    throw UsageError(
                        "option '--\(name)' needs numbers in [\(range.lowerBound), \(range.upperBound)], got '\(Sanitize.line(String(part), limit: 40))'"
                    )
                }
                guard !values.contains(value) else {
                    throw UsageError("option '--\(name)' lists \(value) twice")
                }
                values.append(value)
            }
            return values
        }
    }
}

/// Whether `text` is a number written in decimal (`0.5`, `-1`, `3e-4`), the only way options take numbers:
/// `Double(_:)` and `Float(_:)` also read hexadecimal (`0x10` is 16), which the whole-number options refuse.
func isDecimalNumber(_ text: some StringProtocol) -> Bool {
    !text.isEmpty && text.allSatisfy { "0123456789+-.eE".contains($0) }
}

extension CommandOption where Value == UInt64 {
    /// A 64-bit seed: any non-negative whole number.
    static func seed(_ name: String, default defaultValue: UInt64, help: String) -> CommandOption {
        CommandOption(name, kind: .integer, placeholder: "S", default: defaultValue, help: help) {
            text throws(UsageError) in
            guard let value = UInt64(text) else {
                throw UsageError(
                    "option '--\(name)' needs a non-negative whole number, got '\(Sanitize.line(text, limit: 40))'")
            }
            return value
        }
    }
}

extension CommandOption where Value == String {
    /// Free text (a run name, a path, a theme).
    static func string(
        _ name: String, _ placeholder: String, default defaultValue: String? = nil, help: String
    ) -> CommandOption {
        CommandOption(name, kind: .string, placeholder: placeholder, default: defaultValue, help: help) { $0 }
    }

    /// A program to run (`--python PATH`, a path or a name looked up in PATH): an empty one, or one with a
    /// control character, is refused as it is read (`--python ''` ran `env ''` and reported its failure as a note,
    /// exit 0; a line break split that note over two lines).
    static func program(_ name: String, default defaultValue: String? = nil, help: String) -> CommandOption {
        CommandOption(name, kind: .string, placeholder: "PATH", default: defaultValue, help: help) {
            text throws(UsageError) in
            guard !text.isEmpty else { throw UsageError("option '--\(name)' is empty: give a program (PATH)") }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                throw UsageError(
                    "option '--\(name)' holds a control character: '\(Sanitize.line(text, limit: 80))'")
            }
            return text
        }
    }

    /// A folder to write into (`--out DIR`): an empty path, one through a file (the path itself or a
    /// parent), or one that cannot be written into or created (a read-only folder) is refused as it is
    /// read, before any work.
    static func folder(_ name: String, help: String) -> CommandOption {
        CommandOption(name, kind: .string, placeholder: "DIR", default: nil, help: help) { text throws(UsageError) in
            guard !text.isEmpty else { throw UsageError("option '--\(name)' is empty: give a folder (DIR)") }
            if let file = OutputFolderError.fileInTheWay(of: text) {
                throw UsageError("option '--\(name)': '\(Sanitize.line(file, limit: 200))' is a file, not a folder")
            }
            if let reason = OutputFolderError.unwritable(text) { throw UsageError("option '--\(name)': \(reason)") }
            return text
        }
    }
}

extension CommandOption where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of `Value`'s cases, by raw value; the help and the error list them all.
    static func choice(_ name: String, default defaultValue: Value?, help: String) -> CommandOption {
        let names = Value.allCases.map(\.rawValue)
        return CommandOption(
            name, kind: .choice(names), placeholder: names.joined(separator: "|"), default: defaultValue,
            defaultText: defaultValue?.rawValue, help: help
        ) { text throws(UsageError) in
            guard let value = Value(rawValue: text) else {
                throw UsageError(
                    "option '--\(name)' must be \(OptionHelp.alternatives(names)), got '\(Sanitize.line(text, limit: 40))'"
                        + SpellingSuggestion.hint(for: text, among: names)
                )
            }
            return value
        }
    }
}
