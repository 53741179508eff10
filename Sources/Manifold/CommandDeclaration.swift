import Base

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
    /// Commands under this one (`bench gemm`, ...), each with its own options; `help` lists them all.
    var subcommands: [CommandDeclaration] = []
    /// The words the first positional argument takes when they are a fixed list, and what the command's
    /// errors call one (`attack`'s methods: "attack"), so `help attack fsgm` names the method meant; nil
    /// for a run name or no argument.
    var choices: (noun: String, words: [String])? = nil

    /// Parses `arguments` against the declared options and checks the number of positional words.
    func parse(_ arguments: [String]) throws(UsageError) -> ParsedArguments {
        try refuseRunOption(arguments)
        let parsed = try ParsedArguments(arguments, options: options)
        try Self.checkData(parsed)
        if let maxPositional { try parsed.expectPositional(atMost: maxPositional, command: name) }
        return parsed
    }

    /// `eval --run NAME` (as `attack`, `sample` and the others name their run): a command whose run is its
    /// argument says so, with the command line it takes, rather than calling `--run` unknown.
    private func refuseRunOption(_ arguments: [String]) throws(UsageError) {
        guard self.arguments.split(separator: " ").contains("RUN"),
            !options.contains(where: { $0.name == SharedOptions.run.name })
        else { return }
        let words = Array(arguments.prefix { $0 != "--" })
        guard let index = words.firstIndex(where: { $0 == "--run" || $0.hasPrefix("--run=") }) else { return }
        let value =
            words[index] == "--run"
            ? (index + 1 < words.count ? words[index + 1] : "RUN") : String(words[index].dropFirst(6))
        throw UsageError(
            "'\(name)' takes the run as its argument, not '--run': manifold \(name) \(Sanitize.line(value, limit: 60))")
    }

    /// `--data` is checked as the arguments are read (a missing folder, an unknown name), before any
    /// command does work, whenever it reads the value.
    static func checkData(_ parsed: ParsedArguments) throws(UsageError) {
        if let spec = parsed.values[SharedOptions.data.name] { _ = try SharedOptions.data.convert(spec) }
    }

    /// The text of `manifold help NAME`: the usage line, the prose, then one line per option.
    var help: String {
        if !subcommands.isEmpty {
            let names = subcommands.map { String($0.name.dropFirst(name.count + 1)) }
            var usage = ["usage: manifold \(name) \(names.joined(separator: "|")) [OPTIONS]"]
            if usage[0].count > OptionHelp.width {
                // Too many to list in the usage line: name the argument there and list them below it.
                let argument = arguments.isEmpty ? "WHAT" : arguments
                let list = names.enumerated().map { $0.offset < names.count - 1 ? $0.element + "," : $0.element }
                usage = ["usage: manifold \(name) \(argument) [OPTIONS]"]
                usage += OptionHelp.wrap(["\(argument):"] + list, width: OptionHelp.width, prefix: "", indent: 2)
            }
            return (usage + ["", about] + subcommands.map { "\n" + $0.help }).joined(separator: "\n")
        }
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
