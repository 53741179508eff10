import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The job keys on a job stopped with `x`: its runner has ended, so they say so.
@Suite struct StoppedJobKeysTests {
    /// Bug: after `x`, Space, `.`, `>`, `{`, `}`, `s` and the job's own keys (`+` `-`, the lab's `←` `→`) went
    /// to a runner that had ended and did nothing, without a word (`s` on a stopped training saved nothing,
    /// and `+` even cleared the status line); the README promises that a key that does nothing says so.
    @Test func keysThatReachTheRunnerOfAStoppedJobSaySo() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .classifierTraining, title: "mlp · a") { _ in }
        job.saveWeights = { "weights saved" }
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(.character("x")))
        #expect(state.message == "stopped mlp · a")
        for (key, name) in [
            (Key.character(" "), "Space"), (.character("."), "."), (.character(">"), ">"), (.character("{"), "{"),
            (.character("}"), "}"), (.character("s"), "s"), (.character("+"), "+"), (.character("-"), "-"),
        ] {
            state.message = ""
            _ = state.handle(.key(KeyEvent(key)))
            #expect(state.messageIsFresh)
            #expect(state.message == "\(name) does nothing: mlp · a is stopped (x); start it anew from Home or Runs")
        }
        // Keys that look at what the job left still work.
        _ = state.handle(.key(.character("l")))
        #expect(state.logScale)
    }
}
