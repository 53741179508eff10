import Base
import Engine
import Foundation
import Workbench

/// `manifold [tui] [--theme NAME|PATH] [--data D] [--paused]`: the full-screen workbench.
enum TUICommand {
    static let paused = CommandOption<Bool>.flag("paused", help: "open idle instead of training the MLP")

    static let declaration = CommandDeclaration(
        name: "tui", arguments: "", summary: "the full-screen workbench (the default on a terminal)",
        about: HelpText.tui,
        options: [
            SharedOptions.theme.declaration,
            SharedOptions.data.withHelp("the data the workbench trains on: " + SharedOptions.data.declaration.help)
                .declaration,
            paused.declaration, SharedOptions.threads.declaration,
        ])

    static let watchDeclaration = CommandDeclaration(
        name: "watch", arguments: "RUN", summary: "follow a run another process is training (metrics, predictions)",
        about: HelpText.watch, options: [SharedOptions.theme.declaration], maxPositional: 1)

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        var options = Workbench.Options()
        options.themeName = try parsed.given(SharedOptions.theme)
        options.dataSpec = try parsed.value(SharedOptions.data)
        options.startPaused = parsed.has(paused)
        try Workbench.run(options)
        return 0
    }

    /// `manifold watch RUN`: the workbench following a run that another process trains.
    static func watch(_ arguments: [String]) throws -> Int32 {
        let parsed = try watchDeclaration.parse(arguments)
        guard let name = parsed.positional.first else { throw UsageError("'watch' needs a run: manifold watch RUN") }
        let run = try resolveRunArgument(name, argument: "watch")
        guard run.exists, FileManager.default.fileExists(atPath: run.file("config.json")) else {
            if run.exists, let holder = RunLock.holder(of: run) {
                throw UsageError(
                    "run '\(run.path)' has no saved epoch to watch yet; it is being trained by \(holder) (watch it once its first epoch is saved)"
                )
            }
            throw UsageError("no run '\(run.path)' with a config.json to watch\(run.nameHint) (see 'manifold runs')")
        }
        var options = Workbench.Options()
        options.themeName = try parsed.given(SharedOptions.theme)
        options.watchRun = run
        try Workbench.run(options)
        return 0
    }

    /// `manifold` with no arguments: the workbench on a terminal, else the default training headless.
    static func runDefault() -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb" {
            return dispatch(["tui"])
        }
        printError(
            "not a terminal (or TERM=dumb): training the default model headless; 'manifold --help' lists the commands")
        return dispatch(["train", "mlp"])
    }
}
