import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `?` shows the keys of the screen it is opened on first. Before, the overlay listed every screen's keys in
/// tab order: on the smallest terminal the workbench draws (60x18) its first page held the shared job keys and
/// Home's, and the keys of the Runs screen were on page 5 of 6, Robustness's on pages 5 and 6.
@Suite struct HelpOverlayScreenFirstTests {
    @Test func theFirstPageAtTheMinimumSizeShowsTheCurrentScreensKeys() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let (width, height) = (WorkbenchState.minimumWidth, WorkbenchState.minimumHeight)
        for (index, screen) in state.screens.enumerated() {
            guard let first = screen.helpEntries.first else { continue }
            _ = state.handle(.key(.character(Character(String(index + 1)))))
            #expect(state.current == index)
            _ = state.handle(.key(.character("?")))
            let frame = WorkbenchFixture.frame(state, width: width, height: height)
            #expect(frame.count == height && frame.allSatisfy { CharacterWidth.of($0) <= width })
            // The entry's keys, then the start of its description (as much as fits the first wrapped row).
            let words = "\(screen.title): \(first.action)".split(separator: " ").prefix(2).joined(separator: " ")
            let row = frame.first { $0.contains("│ \(first.keys) ") && $0.contains(words) }
            #expect(
                row != nil,
                "\(screen.title): '\(first.keys)' '\(words)' not on the first page:\n\(frame.joined(separator: "\n"))")
            _ = state.handle(.key(.character(" ")))
            #expect(!state.showHelp)
        }
    }

    /// Every screen's keys are still in the overlay, each once, after the keys of the screen shown.
    @Test func everyScreensKeysStayListedOnce() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("6")))
        let listed = state.helpEntries.map { "\($0.keys) \($0.action)" }
        for screen in state.screens {
            for entry in screen.helpEntries {
                let line = "\(entry.keys) \(screen.title): \(entry.action)"
                #expect(listed.filter { $0 == line }.count == 1, "\(line)")
            }
        }
        let runs = state.screens[5].helpEntries.count
        #expect(listed.dropFirst().prefix(runs).allSatisfy { $0.contains(" Runs: ") }, "\(listed)")
    }

    /// Shift-Tab switches to the previous screen, and the overlay says so; before, it worked but no list of
    /// keys named it.
    @Test func shiftTabIsListed() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(KeyEvent(.backTab)))
        #expect(state.current == state.screens.count - 1)
        #expect(
            state.helpEntries.first?.keys == "Tab / Shift-Tab / 1-\(state.screens.count)", "\(state.helpEntries[0])")
    }
}
