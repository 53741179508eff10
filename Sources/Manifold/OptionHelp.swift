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
