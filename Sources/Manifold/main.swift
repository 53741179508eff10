// The manifold executable: parses the command line and dispatches to a command.
// Exit status: 0 success, 1 runtime error, 2 usage error.
import Base
import Engine
import Foundation
import TensorCore

func dispatch(_ arguments: [String]) -> Int32 {
    guard let command = arguments.first else {
        return TUICommand.runDefault()
    }
    let rest = Array(arguments.dropFirst())
    // `help train --help`: help asked for twice is the help of the command named.
    if ["help", "--help", "-h"].contains(command), let named = rest.first(where: { $0 != "--help" && $0 != "-h" }) {
        let words = Array(rest.drop { $0 != named }.filter { $0 != "--help" && $0 != "-h" })
        do {
            try checkHelpWords(words)
        } catch {
            printError(error.description)
            return 2
        }
        return printHelp(for: named, subcommand: words.dropFirst().first)
    }
    if rest.contains("--help") || rest.contains("-h") {
        return printHelp(for: command, subcommand: rest.first)
    }
    do {
        switch command {
        case "--help", "-h", "help":
            try checkHelpWords(rest)
            return rest.first.map { printHelp(for: $0, subcommand: rest.dropFirst().first) } ?? printHelp(for: nil)
        case "--version", "version": return try VersionCommand.run(rest)
        case "tui": return try TUICommand.run(rest)
        case "watch": return try TUICommand.watch(rest)
        case "train": return try TrainCommand.run(rest)
        case "eval": return try EvalCommand.run(rest)
        case "runs": return try RunsCommand.run(rest)
        case "bench": return try BenchCommand.run(rest)
        case "demo": return try WidgetGalleryCommand.run(rest)
        case "sample": return try SampleCommand.run(rest)
        case "compare": return try CompareCommand.run(rest)
        case "attack": return try AttackCommand.run(rest)
        case "poison": return try PoisonCommand.run(rest)
        case "defend": return try DefendCommand.run(rest)
        case "--":
            // `--` ends the options of a command; before any command there are none to end.
            throw UsageError("'--' ends a command's options and cannot come first (try 'manifold --help')")
        default:
            // `manifold [tui] [OPTIONS]`: options without a command are the workbench's.
            if command.hasPrefix("--") { return try TUICommand.run(arguments) }
            throw UsageError(
                "unknown command '\(command.prefix(40))'\(SpellingSuggestion.hint(for: command, among: commandNames))"
                    + " (try 'manifold --help')")
        }
    } catch let error as UsageError {
        printError(error.description)
        return 2
    } catch let error as MissingRun {
        // A run named on the command line that is not there: a usage error, whichever option named it.
        printError(error.description)
        return 2
    } catch let error as RunKindMismatch {
        // A run of another kind than the option takes: a usage error too.
        printError(error.description)
        return 2
    } catch let error as ClassCountMismatch {
        // Data of more classes than the run was trained on comes from --data (or a folder changed since).
        printError(dataMismatch(error.description, arguments: rest))
        return 2
    } catch let error as ImageSizeMismatch {
        // Images of another size than the run was trained on come from --data (or a folder changed since).
        printError(dataMismatch(error.description, arguments: rest))
        return 2
    } catch {
        printError("\(error)")
        return 1
    }
}

/// A mismatch between data and a run, named by its source: the `--data` option given, else the run's own
/// data (config.json's `data`): that folder, or the config's record of the run, changed since it was trained.
func dataMismatch(_ description: String, arguments: [String]) -> String {
    let options = arguments.prefix { $0 != "--" }
    if options.contains(where: { $0 == "--data" || $0.hasPrefix("--data=") }) {
        return "option '--data': \(description)"
    }
    return RunDataMismatch.message(description)
}

/// The commands, as a mistyped one is compared with them.
let commandNames = HelpText.catalog.map(\.name) + ["help", "version"]

/// `help COMMAND` takes as many more words as the command's own (`help bench gemm`, `help train mlp`,
/// `help attack pgd`, `help compare ae pca`), as a user copies them from a command line; a word past
/// those is a usage error naming it, as every command refuses words it does not take.
func checkHelpWords(_ words: [String]) throws(UsageError) {
    let declaration = HelpText.catalog.first { $0.name == words.first }
    let taken = 1 + (declaration?.arguments.split(separator: " ").count ?? 0)
    guard words.count > taken else { return }
    let asked = (["help"] + words.prefix(taken)).map { String($0.prefix(40)) }.joined(separator: " ")
    throw UsageError("'\(asked)' got an unexpected argument '\(words[taken].prefix(40))'")
}

/// The help of `command` (of its `subcommand` when it has one by that name, as `bench seeds`); `help`
/// and `version`, which have no options, show the overview that describes them.
func printHelp(for command: String?, subcommand: String? = nil) -> Int32 {
    guard let command, !["help", "--help", "-h"].contains(command) else {
        print(HelpText.overview)
        return 0
    }
    if command == "version" || command == "--version" {
        print(VersionCommand.declaration.help)
        return 0
    }
    // `help bench warp`: a command made of subcommands has no help for one it does not have.
    if let subcommand, !subcommand.hasPrefix("-"),
        let parent = HelpText.catalog.first(where: { $0.name == command && !$0.subcommands.isEmpty }),
        HelpText.help(for: "\(command) \(subcommand)") == nil
    {
        let names = parent.subcommands.map { String($0.name.dropFirst(command.count + 1)) }
        printError(
            "no help for unknown '\(command)' subcommand '\(subcommand.prefix(40))'"
                + "\(SpellingSuggestion.hint(for: subcommand, among: names)) (known: \(names.joined(separator: ", ")))"
        )
        return 2
    }
    // `help attack fsgm`: a command whose argument is one of a list has no help for a word not on it.
    if let subcommand, !subcommand.hasPrefix("-"),
        let choices = HelpText.catalog.first(where: { $0.name == command })?.choices,
        !choices.words.contains(subcommand)
    {
        printError(
            "no help for unknown \(choices.noun) '\(subcommand.prefix(40))'"
                + "\(SpellingSuggestion.hint(for: subcommand, among: choices.words)) (known: \(choices.words.joined(separator: ", ")))"
        )
        return 2
    }
    guard let text = HelpText.help(for: subcommand.map { "\(command) \($0)" } ?? command) ?? HelpText.help(for: command)
    else {
        printError(
            "no help for unknown command '\(command.prefix(40))'"
                + "\(SpellingSuggestion.hint(for: command, among: commandNames)) (try 'manifold --help')")
        return 2
    }
    print(text)
    return 0
}

/// `status`, once what the command printed has reached standard output: output that could not be written (a
/// full disk, `> /dev/full`) is a runtime failure with one line, not a success that printed nothing.
func flushingStandardOutput(_ status: Int32) -> Int32 {
    errno = 0
    guard fflush(nil) != 0 else { return status }
    // A reader gone (SIGPIPE, when a handler is installed): the handler's finisher ends the process quietly.
    _ = InterruptNote.holdIfEnding(status)
    let reason = errno == 0 ? "the write failed" : String(cString: strerror(errno))
    printError("cannot write the output to standard output: \(reason)")
    return status == 0 ? 1 : status
}

/// `status`, once a command that failed has removed what it made for files it never wrote: the folders of
/// an `--out` that are still empty, as an interrupted command removes them (`TemporaryFiles`).
func cleaningUpAfterFailure(_ status: Int32) -> Int32 {
    if status != 0 { TemporaryFiles.shared.removeAll() }
    return status
}

FileSizeLimit.failWritesInsteadOfEnding()
if let refusal = DescriptorLimit.raiseIfSmall() {
    printError(refusal)
    exit(1)
}
AllocatorTuning.keepLargeBlocks()
exit(
    flushingStandardOutput(
        cleaningUpAfterFailure(InterruptNote.holdIfEnding(dispatch(Array(CommandLine.arguments.dropFirst()))))))
