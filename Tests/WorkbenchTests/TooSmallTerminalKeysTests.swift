import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Keys while the terminal is too small for the workbench (the frame shows only that notice).
@Suite struct TooSmallTerminalKeysTests {
    /// Bug: keys acted unseen behind "terminal too small": Runs' `d` then `y` deleted a run with no question
    /// in view, Enter started jobs, Tab switched screens. Only `q`, Ctrl-C and Ctrl-Z act there now.
    @Test func onlyQuittingAndSuspendingActWhileTheTerminalIsTooSmall() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "mlp-kept", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2026-01-01T00:00:00Z"))
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        _ = WorkbenchFixture.frame(state, width: 80, height: 24)
        let runs = state.current
        state.terminalTooSmall = true
        for key in ["d", "y", "1", "\t", "?"] {
            _ = state.handle(.key(key == "\t" ? KeyEvent(.tab) : .character(Character(key))))
        }
        _ = state.handle(.mouse(MouseEvent(kind: .press(.left), x: 3, y: 0)))
        #expect(state.current == runs && !state.showHelp && !state.screen.capturesKeys && state.jobs.isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(root)/mlp-kept/config.json"))
        #expect(state.handle(.key(.character("z", modifiers: .control))) == .suspend)
        _ = state.handle(.key(.character("q")))
        #expect(state.quit)
        // Once the terminal is large enough again the keys act as before.
        var large = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = large.handle(.key(.character("?")))
        #expect(large.showHelp)
    }
}
