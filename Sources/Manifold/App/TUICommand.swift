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
