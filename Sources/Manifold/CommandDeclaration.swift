/// A command as the parser and `help` see it: its name, positional arguments, the line the overview
/// lists, the prose of `help COMMAND`, and its declared options.
///
/// `manifold help NAME` and `NAME --help` print `help`, which is built from the same option
/// declarations the parser reads, so an option, its default and its range are written once.
struct CommandDeclaration: Sendable {
    /// The command word (`sample`).
    let name: String
    /// Positional arguments as the usage line writes them (`METHOD`), or "" for none.
    var arguments = ""
    /// One line (wrapped by the overview) for `manifold --help`.
    let summary: String
    /// What the command does: the paragraphs between the usage line and the option list.
    var about = ""
    var options: [OptionDeclaration] = []
    /// Options shown without brackets in the usage line (the command fails without them).
    var required: Set<String> = []
    /// Positional words the command takes at most; nil when the command checks them itself.
    var maxPositional: Int? = 0
    /// A hand-written usage and description for commands whose options are not declared yet
    /// (`train`, `bench`); when set, `help` prints it as it is.
    var handWrittenHelp: String? = nil

    /// Parses `arguments` against the declared options and checks the number of positional words.
    func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        let parsed = try ParsedArguments(arguments, options: options)
        if let maxPositional { try parsed.expectPositional(atMost: maxPositional, command: name) }
        return parsed
    }

    /// The text of `manifold help NAME`: the usage line, the prose, then one line per option.
    var help: String {
        if let handWrittenHelp { return handWrittenHelp }
        var words = ["manifold", name] + (arguments.isEmpty ? [] : [arguments])
        for option in options {
            words.append(required.contains(option.name) ? option.synopsis : "[\(option.synopsis)]")
        }
        var lines = OptionHelp.wrap(words, width: OptionHelp.width, prefix: "usage: ", indent: 7)
        lines.append("")
        lines.append(about)
        if !options.isEmpty {
            lines.append("")
            lines.append("options:")
            lines += options.flatMap(OptionHelp.lines(for:))
        }
        return lines.joined(separator: "\n")
    }
}

/// Layout of the help text: word wrapping and the option list.
enum OptionHelp {
    /// Help lines wrap at this many columns.
    static let width = 100
    /// The column where an option's help starts.
    static let helpColumn = 24

    /// "a, b or c": a list of alternatives as an error message writes it.
    static func alternatives(_ names: [String]) -> String {
        guard let last = names.last, names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }

    /// An option's entry: `  --name VALUE   help (default D)`, wrapped under the help column.
    static func lines(for option: OptionDeclaration) -> [String] {
        let head = "  " + option.synopsis
        var help = option.help
        if let shown = option.defaultText { help += " (default \(shown))" }
        let words = help.split(separator: " ").map(String.init)
        if head.count + 2 > helpColumn {
            return [head]
                + wrap(words, width: width, prefix: String(repeating: " ", count: helpColumn), indent: helpColumn)
        }
        let prefix = head.padding(toLength: helpColumn, withPad: " ", startingAt: 0)
        return wrap(words, width: width, prefix: prefix, indent: helpColumn)
    }

    /// `words` joined into lines of at most `width` columns: the first starts with `prefix`, the
    /// others with `indent` spaces. A word longer than a line gets a line of its own.
    static func wrap(_ words: [String], width: Int, prefix: String, indent: Int) -> [String] {
        var lines: [String] = []
        var line = prefix
        var lineHasWord = false
        for word in words {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent)
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }
}
