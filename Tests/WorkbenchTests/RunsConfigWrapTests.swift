import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Runs screen's config.json panel wraps a long value between its numbers, never inside one.
@Suite struct RunsConfigWrapTests {
    static let sigmas = ["1.0", "0.6", "0.36", "0.216", "0.1296", "0.07776", "0.046656", "0.0279936", "0.01"]

    /// Bug: at 60x18 a DAE run's `sigmas` array, one word with no spaces, was cut every 22 columns wherever
    /// that fell: "[1.0,0.6,0.36,0.216,0." on a line and "1296,..." on the next.
    @Test func aDAERunsSigmasWrapAfterCommas() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "dae-synthetic", in: root,
            config: """
                {"model": "dae", "created": "2026-01-01T00:00:00Z", "sigmas": [\(Self.sigmas.joined(separator: ","))]}
                """)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        let frame = WorkbenchFixture.frame(state, width: 60, height: 18)
        let text = frame.joined(separator: "\n")
        // The config.json panel: columns 36 to 59, its text from 37 to 58.
        let panel = frame.map { line -> String in
            let characters = Array(line)
            return characters.count > 37 ? String(characters[37..<min(59, characters.count)]) : ""
        }
        let words = Set(panel.flatMap { $0.split { ",[] :".contains($0) }.map(String.init) })
        for sigma in Self.sigmas {
            #expect(words.contains(sigma), "\(sigma) is cut:\n\(text)")
        }
    }
}
