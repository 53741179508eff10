// Subcommands that exercise the terminal UI on its own: the widget gallery and the TUI benchmark.
import Foundation
import TerminalUI

/// `manifold demo [--theme NAME|PATH]`: the full-screen widget gallery.
/// - Returns: the process exit status (2 when there is no terminal or an argument is wrong).
func runDemoCommand(arguments: [String]) -> Int32 {
  var themeName: String?
  var index = 0
  while index < arguments.count {
    let argument = arguments[index]
    if argument == "--theme" {
      guard index + 1 < arguments.count else {
        FileHandle.standardError.write(Data("manifold demo: --theme needs a name or path\n".utf8))
        return 2
      }
      themeName = arguments[index + 1]
      index += 2
    } else if argument.hasPrefix("--theme=") {
      themeName = String(argument.dropFirst("--theme=".count))
      index += 1
    } else {
      FileHandle.standardError.write(Data("manifold demo: unknown argument '\(argument)'\n".utf8))
      return 2
    }
  }
  do {
    try WidgetGallery.run(themeName: themeName)
    return 0
  } catch {
    FileHandle.standardError.write(Data("manifold demo: \(error)\n".utf8))
    return 2
  }
}

/// `manifold bench tui [--json]`: times full and incremental frames of a 200x60 dashboard.
/// - Returns: the process exit status.
func runTUIBenchmarkCommand(json: Bool) -> Int32 {
  let result = TerminalUIBenchmark.run()
  print(json ? result.json : result.text)
  return 0
}
