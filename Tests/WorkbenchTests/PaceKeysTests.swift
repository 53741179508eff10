import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `{` and `}`: the step-rate limit of the shown job, and what the status line says about it.
@Suite struct PaceKeysTests {
    /// Bug: the status line showed the runner's answer to `{`, which reached the snapshot only after the job's
    /// next step: until then it showed stale text (the previous limit, or "epoch 1 saved" while training ran),
    /// and a job that says something at each step (an epoch saved, a watched run) replaced the answer at once.
    /// The answer is the workbench's own message now, set by the key, and the job's messages wait their turn.
    @Test func theAnswerShowsAtOnceAndStaysWhileTheJobTalks() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .classifierTraining, title: "chatty") { $0.message = "epoch 1 saved" }
        defer { job.runner.send(.stop) }
        state.add(job)
        job.runner.send(.run)
        func statusLine() -> String { WorkbenchFixture.frame(state, width: 120, height: 30).last ?? "" }
        // Pressed fast, twenty times: the slowest limit, said at once.
        for _ in 0..<20 { _ = state.handle(.key(.character("{"))) }
        #expect(job.paceIndex == WorkbenchState.paceLimits.count - 1)
        #expect(state.message == "at most 1 step a second already (the slowest)", "\(state.message)")
        #expect(statusLine().contains("at most 1 step a second"), "\(statusLine())")
        // The job publishes its own message at every step meanwhile; the answer stays.
        let deadline = Date().addingTimeInterval(0.5)
        while Date() < deadline {
            #expect(statusLine().contains("at most 1 step a second"), "\(statusLine())")
            Thread.sleep(forTimeInterval: 0.05)
        }
        _ = state.handle(.key(.character("}")))
        #expect(statusLine().contains("at most 3 steps a second"), "\(statusLine())")
        for _ in 0..<10 { _ = state.handle(.key(.character("}"))) }
        #expect(job.paceIndex == 0)
        #expect(state.message == "full speed already (the fastest)", "\(state.message)")
    }

    /// The runner's own words for a limit, which the workbench repeats: one step, not "1 steps".
    @Test func paceDescriptions() {
        #expect(Runner.paceDescription(nil) == "full speed")
        #expect(Runner.paceDescription(1) == "at most 1 step a second")
        #expect(Runner.paceDescription(30) == "at most 30 steps a second")
        #expect(Runner.paceDescription(0.5) == "at most 0.5 steps a second")
    }
}
