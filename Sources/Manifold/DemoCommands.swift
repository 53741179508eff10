// Subcommands that exercise the terminal UI on its own: the widget gallery and the TUI benchmark.
import Foundation
import TerminalUI

/// `manifold demo [--theme NAME|PATH]`: the full-screen widget gallery, with its options declared.
enum WidgetGalleryCommand {
    static let declaration = CommandDeclaration(
        name: "demo", summary: "full-screen gallery of the terminal widgets", about: HelpText.demo,
        options: [SharedOptions.theme.declaration])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        return try runDemoCommand(themeName: try parsed.given(SharedOptions.theme))
    }
}

/// The full-screen widget gallery.
/// - Returns: the process exit status (1 when there is no terminal).
func runDemoCommand(themeName: String?) throws -> Int32 {
    // As `tui` refuses it: a dumb terminal prints cursor addressing and the alternate screen as text.
    if ProcessInfo.processInfo.environment["TERM"] == "dumb" {
        throw RuntimeError("TERM=dumb cannot show the full-screen widget gallery (it needs cursor addressing)")
    }
    do {
        try WidgetGallery.run(themeName: themeName)
        return 0
    } catch let error as TerminalError {
        throw RuntimeError("\(error)")
    }
}

/// `manifold bench tui [--json]`: times full and incremental frames of a 200x60 dashboard.
/// - Returns: the process exit status.
func runTUIBenchmarkCommand(json: Bool) -> Int32 {
    let result = TerminalUIBenchmark.run()
    print(json ? result.json : result.text)
    return 0
}
