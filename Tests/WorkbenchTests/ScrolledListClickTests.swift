import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// A click on a visible row of a list scrolled down (the wheel, or `↓` past the bottom).
@Suite struct ScrolledListClickTests {
    /// Bug: the lists' scroll position was worked out from the selection alone at each frame, so a click on
    /// a run (or a Home item) in a list scrolled down selected it and made the list jump back to the top: a
    /// different row was then under the pointer. The list stays where it was.
    @Test func aClickInAScrolledRunsListKeepsItsPosition() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        for index in 1...30 { try RunsBrowserTests.write(String(format: "r%02d", index), in: root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        _ = WorkbenchFixture.frame(state, width: 100, height: 24)
        for _ in 0..<25 { _ = state.handle(.mouse(MouseEvent(kind: .scrollDown, x: 5, y: 6))) }
        let scrolled = WorkbenchFixture.frame(state, width: 100, height: 24)
        let names = (1...30).map { String(format: "r%02d", $0) }
        func rowsShown(_ frame: [String]) -> [Int: String] {
            var rows: [Int: String] = [:]
            for (y, line) in frame.enumerated() {
                if let name = names.first(where: { line.hasPrefix("│\($0) ") }) { rows[y] = name }
            }
            return rows
        }
        let before = rowsShown(scrolled)
        #expect(before.values.contains("r26") && !before.values.contains("r01"), "\(scrolled.joined(separator: "\n"))")
        let target = try #require(before.sorted { $0.key < $1.key }.dropFirst(3).first)
        _ = state.handle(.mouse(MouseEvent(kind: .press(.left), x: 5, y: target.key)))
        let clicked = WorkbenchFixture.frame(state, width: 100, height: 24)
        #expect(rowsShown(clicked) == before, "\(clicked.joined(separator: "\n"))")
        let screen = try #require(state.screen as? RunsScreen)
        #expect(screen.browser.entries[screen.browser.selected].run.name == target.value)
    }
}
