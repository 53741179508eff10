import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The status line's message after `[` `]` show another job of the screen, or a key or a click shows
/// another screen: it no longer speaks of the job or the screen left.
@Suite struct StatusMessageSwitchTests {
    static func statusLine(_ state: WorkbenchState) -> String {
        WorkbenchFixture.frame(state, width: 120, height: 30).last ?? ""
    }

    /// Bug: after `[` the status line went on saying "started fgsm · b" (or the eps of the attack left) over
    /// the attack `[` had brought back.
    @Test func bracketsNameTheJobShown() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let first = WorkbenchFixture.job(kind: .attack, title: "pgd · a") { _ in }
        let second = WorkbenchFixture.job(kind: .attack, title: "fgsm · b") { _ in }
        defer { [first, second].forEach { $0.runner.send(.stop) } }
        state.add(first)
        state.add(second)
        #expect(Self.statusLine(state).contains("started fgsm · b"))
        _ = state.handle(.key(.character("[")))
        var line = Self.statusLine(state)
        #expect(!line.contains("started fgsm · b"), "\(line)")
        #expect(line.contains("job 1 of 2 on Attack lab: pgd · a"), "\(line)")
        _ = state.handle(.key(.character("]")))
        line = Self.statusLine(state)
        #expect(line.contains("job 2 of 2 on Attack lab: fgsm · b"), "\(line)")
    }

    /// Bug: a message about the screen left stayed over the next one for its four seconds (Runs' "e: RUN is
    /// being evaluated already" over the Robustness screen after Tab). A warning given at start stays.
    @Test func anotherScreenTakesTheMessageLeftAway() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        for key in [KeyEvent(.tab), KeyEvent(.backTab), KeyEvent(.character("7"))] {
            state.show(RunsScreen.self)
            state.message = "e: mlp-a is being evaluated already; the figures show here when done"
            _ = state.handle(.key(key))
            let line = Self.statusLine(state)
            #expect(!line.contains("evaluated already"), "\(key): \(line)")
        }
        state.show(HomeScreen.self)
        state.message = "theme: no file 'x.json' (using dark)"
        state.messageLifetime = 15
        _ = state.handle(.key(.character("2")))
        #expect(Self.statusLine(state).contains("theme: no file"), "\(Self.statusLine(state))")
    }
}
