import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The selection without colours. Bug: with `NO_COLOR` the Runs screen drew its selected row like every
/// other (in colour it only gets the accent as background), so `d` asked to delete a run no row showed
/// selected; the current tab was told apart by bold alone. Both are in reverse video now.
@Suite struct NoColorSelectionTests {
    @Test func theSelectedRunAndTabAreInReverseVideo() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        for (name, created) in [("mlp-a", "2026-01-01T00:00:00Z"), ("mlp-b", "2026-01-02T00:00:00Z")] {
            try WorkbenchFixture.writeRun(
                name, in: root, config: WorkbenchFixture.config(model: "mlp", created: created))
        }
        var state = WorkbenchState(
            theme: Theme.dark.degraded(to: .none), colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic",
            screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        state.prepareFrame()
        var buffer = Buffer(width: 120, height: 40)
        state.render(into: &buffer)
        let browser = try #require((state.screen as? RunsScreen)?.browser)
        let selected = browser.entries[browser.selected].run.name
        var reversedRows: [String] = []
        for y in 0..<buffer.height {
            let line = buffer.line(y)
            guard let run = ["mlp-a", "mlp-b"].first(where: { line.contains("│\($0) ") }) else { continue }
            // The run's name, in the list's first column.
            if buffer[1, y].attributes.contains(.reverse) { reversedRows.append(run) }
        }
        #expect(reversedRows == [selected])
        // The current tab: "6 Runs" on the first row.
        let tabs = buffer.line(0)
        let runsTab = tabs.distance(from: tabs.startIndex, to: tabs.range(of: "6 Runs")!.lowerBound)
        #expect(buffer[runsTab, 0].attributes.contains(.reverse))
        #expect(!buffer[1, 0].attributes.contains(.reverse), "the Home tab is not current")
    }
}
