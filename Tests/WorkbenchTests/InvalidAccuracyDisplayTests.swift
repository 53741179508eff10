import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// A saved test accuracy that is not one (a hand-edited `1e308`, a negative or text value) shows as `?` in the
/// Runs screen and Home's recent runs, as an invalid `epochs_done` does, not as the number: `1e308` printed
/// as "100000..." across the column.
@Suite struct InvalidAccuracyDisplayTests {
    /// Runs `huge` (1e308), `negative` (-0.5), `text` ("0.9"), `fine` (0.875) and `untested` (none).
    static func runs() throws -> String {
        let root = WorkbenchFixture.runsRoot()
        for (name, accuracy) in [("huge", "1e308"), ("negative", "-0.5"), ("text", "\"0.9\""), ("fine", "0.875")] {
            try WorkbenchFixture.writeRun(
                name, in: root,
                config: """
                    {"model": "mlp", "dataset": "synthetic", "data": "synthetic", "epochs": 1, "epochs_done": 1, \
                    "created": "2026-01-01T00:00:00Z", "test": {"accuracy": \(accuracy)}}
                    """)
        }
        try WorkbenchFixture.writeRun(
            "untested", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2026-01-01T00:00:00Z"))
        return root
    }

    static let expected = [
        "fine": "0.8750", "huge": "?", "negative": "?", "text": "?", "untested": "-",
    ]

    @Test func theRunsListShowsAQuestionMark() throws {
        let root = try Self.runs()
        defer { cleanup(root) }
        var browser = RunsBrowser(root: root)
        browser.reload()
        let shown = Dictionary(uniqueKeysWithValues: browser.entries.map { ($0.run.name, $0.accuracy) })
        #expect(shown == Self.expected)
    }

    @Test func homesRecentRunsShowAQuestionMark() throws {
        let root = try Self.runs()
        defer { cleanup(root) }
        let entries = RecentRuns.newestFirst(RunDirectory.list(root: root), limit: 12)
        let shown = Dictionary(uniqueKeysWithValues: entries.map { ($0.run.name, $0.accuracy) })
        #expect(shown == Self.expected)
    }

    @Test func neitherScreenShowsTheHugeNumber() throws {
        let root = try Self.runs()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        for screen in ["1", "6"] {
            _ = state.handle(.key(.character(Character(screen))))
            let frame = WorkbenchFixture.frame(state, width: 120, height: 30).joined(separator: "\n")
            #expect(!frame.contains("100000"), "screen \(screen):\n\(frame)")
            #expect(frame.contains("0.8750"), "screen \(screen):\n\(frame)")
        }
    }
}
