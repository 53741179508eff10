import Base

/// A small command-line parser: `--name value`, `--name=value`, boolean `--flag`, positional words,
/// and `--` to end options (a value that starts with `--` is given as `--name=--value`). Each command
/// declares its options (`CommandOption`), so unknown or malformed ones are usage errors with a one-line
/// message naming the argument.
///
/// Typed values come from the declarations (`value(_:)`, `given(_:)`).
struct ParsedArguments {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    /// Parses `arguments` against the declared value options and flags (names without dashes).
    init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws(UsageError) {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("--") || argument == "-" {
                if !optionsEnded && argument.hasPrefix("-") && argument.count > 1 && argument != "-"
                    && Double(argument) == nil
                {
                    throw UsageError("unknown option '\(argument)' (options start with --)")
                }
                positional.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flagOptions.contains(name) {
                if inlineValue != nil { throw UsageError("option '--\(name)' takes no value") }
                if flags.contains(name) { throw UsageError("option '--\(name)' given twice") }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("option '--\(name)' needs a value") }
                    // `--run --quiet`: the value was forgotten, and the next option is not it (a value that
                    // starts with -- is given as --run=--quiet).
                    if arguments[index].hasPrefix("--") {
                        throw UsageError(
                            "option '--\(name)' needs a value, got the option '\(Sanitize.line(arguments[index], limit: 40))'"
                                + " (--\(name)=VALUE gives a value that starts with --)")
                    }
                    value = arguments[index]
                    index += 1
                }
                if values[name] != nil { throw UsageError("option '--\(name)' given twice") }
                values[name] = value
            } else {
                // A near miss names the option meant (the full list of a command like attack runs to 60);
                // otherwise the list is the hint.
                let names = (valueOptions.union(flagOptions)).sorted()
                let hint = SpellingSuggestion.hint(for: name, among: names, shownWith: "--")
                let known = names.map { "--\($0)" }.joined(separator: ", ")
                throw UsageError(
                    "unknown option '--\(name)'"
                        + (!hint.isEmpty ? hint : known.isEmpty ? "" : " (this command takes \(known))"))
            }
        }
    }

    /// Parses `arguments` against declared options.
    init(_ arguments: [String], options: [OptionDeclaration]) throws(UsageError) {
        try self.init(
            arguments, valueOptions: Set(options.filter(\.takesValue).map(\.name)),
            flagOptions: Set(options.filter { !$0.takesValue }.map(\.name)))
    }

    /// The value given for `option`, or nil when it is absent.
    func given<Value>(_ option: CommandOption<Value>) throws(UsageError) -> Value? {
        if option.declaration.kind == .flag { return flags.contains(option.name) ? try option.convert("") : nil }
        guard let text = values[option.name] else { return nil }
        return try option.convert(text)
    }

    /// The value given for `option`, else its declared default.
    /// - Precondition: the option declares a default.
    func value<Value>(_ option: CommandOption<Value>) throws(UsageError) -> Value {
        if let value = try given(option) { return value }
        guard let defaultValue = option.defaultValue else {
            preconditionFailure("option '--\(option.name)' has no default; read it with given(_:)")
        }
        return defaultValue
    }

    /// The value given for `option`, else `defaultValue` (a default that depends on other options).
    func value<Value>(_ option: CommandOption<Value>, default defaultValue: Value) throws(UsageError) -> Value {
        try given(option) ?? defaultValue
    }

    /// Whether option `name` (a flag or a value) was given at all.
    func isGiven(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }

    /// True when `flag` was given.
    func has(_ flag: CommandOption<Bool>) -> Bool { flags.contains(flag.name) }

    /// Fails when more positional words were given than the command takes.
    func expectPositional(atMost count: Int, command: String) throws(UsageError) {
        if positional.count > count {
            throw UsageError("'\(command)' got an unexpected argument '\(positional[count])'")
        }
    }
}

/// A command-line mistake: printed as one line, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// A failure while running a valid command: printed as one line, exit status 1.
struct RuntimeError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
