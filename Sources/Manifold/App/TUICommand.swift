import Engine
import Foundation

/// `manifold [tui] [--theme NAME|PATH] [--data D] [--paused]`: the full-screen workbench.
enum TUICommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: ["theme", "data", "threads"], flagOptions: ["paused"])
        try parsed.expectPositional(atMost: 0, command: "tui")
        try applyThreads(parsed)
        var options = Workbench.Options()
        options.themeName = parsed.string("theme")
        options.dataSpec = parsed.string("data") ?? "synthetic"
        options.startPaused = parsed.has("paused")
        try Workbench.run(options)
        return 0
    }

    /// `manifold watch RUN`: the workbench following a run that another process trains.
    static func watch(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: ["theme"], flagOptions: [])
        guard let name = parsed.positional.first else { throw UsageError("'watch' needs a run: manifold watch RUN") }
        try parsed.expectPositional(atMost: 1, command: "watch")
        let run = try resolveRunArgument(name)
        guard run.exists, FileManager.default.fileExists(atPath: run.file("config.json")) else {
            throw RuntimeError("no run '\(run.path)' with a config.json to watch")
        }
        var options = Workbench.Options()
        options.themeName = parsed.string("theme")
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
        printError("not a terminal (or TERM=dumb): training the default model headless; 'manifold --help' lists the commands")
        return dispatch(["train", "mlp"])
    }
}
