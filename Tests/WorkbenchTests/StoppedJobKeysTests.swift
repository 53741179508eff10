import Engine
import Foundation
import Models
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

    /// Bug: a stopped lab view (`g`'s class sweep, `p`'s purification, `f`'s feature adversary) said "start it
    /// anew from Home or Runs", where neither starts it: its key on an attack in the Attack lab does.
    @Test func aStoppedLabViewNamesTheLabKeyThatStartsItAnew() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "mlp-a", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2026-12-01T10:00:00Z"))
        let run = RunDirectory(root: root, name: "mlp-a")
        let sweep = try Job.classSweep(run: run, image: 0, running: false)
        let view = Job.pacedLabView(
            DeferredExperiment(label: "nothing") { throw PurifierError("never loaded") }, label: "purify",
            title: "purify · mlp-a ← ddpm", run: run, labels: JobLabels(), key: "p", running: false,
            controls: { _ in nil })
        for (job, key) in [(sweep, "g"), (view, "p")] {
            defer { job.runner.send(.stop) }
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            state.add(job)
            _ = state.handle(.key(.character("x")))
            _ = state.handle(.key(.character(" ")))
            #expect(
                state.message
                    == "Space does nothing: \(job.title) is stopped (x); start it anew with \(key) on an attack in "
                    + "the Attack lab ([ goes back to it)")
        }
    }
}
