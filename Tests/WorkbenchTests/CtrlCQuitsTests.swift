import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Ctrl-C leaves the workbench from every state, as README promises. Before, with the Runs screen's
/// "delete? y / n" pending it answered "kept", and with the `?` overlay open it only closed the overlay.
@Suite struct CtrlCQuitsTests {
    static let controlC = InputEvent.key(.character("c", modifiers: .control))

    @Test func ctrlCQuitsWhileTheDeleteQuestionWaits() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let asked = try DeleteQuestionTests.asking(root: root)
        var state = asked.state
        #expect(state.screen.capturesKeys)
        _ = state.handle(Self.controlC)
        #expect(state.quit)
        #expect(FileManager.default.fileExists(atPath: "\(asked.folder)/mlp-synthetic-20261204-201016"))
    }

    @Test func ctrlCQuitsFromTheHelpOverlay() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character("?")))
        #expect(state.showHelp)
        _ = state.handle(Self.controlC)
        #expect(state.quit)
        // `q` in the overlay still only closes it, as README says of any other key.
        var other = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = other.handle(.key(.character("?")))
        _ = other.handle(.key(.character("q")))
        #expect(!other.showHelp && !other.quit)
    }

    /// Bug: Ctrl-Z with `?` open only closed the overlay, and with "delete? y / n" pending answered "kept":
    /// the workbench went on, and the `fg` typed next reached it as keys. It suspends from both, leaving the
    /// overlay or the question as it was.
    @Test func ctrlZSuspendsFromTheHelpOverlayAndTheDeleteQuestion() throws {
        let controlZ = InputEvent.key(.character("z", modifiers: .control))
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var help = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = help.handle(.key(.character("?")))
        #expect(help.handle(controlZ) == .suspend)
        #expect(help.showHelp)
        let asked = try DeleteQuestionTests.asking(root: root)
        var state = asked.state
        #expect(state.handle(controlZ) == .suspend)
        #expect(state.screen.capturesKeys)
        #expect(FileManager.default.fileExists(atPath: "\(asked.folder)/mlp-synthetic-20261204-201016"))
    }
}
