import Dispatch
import Engine
import Foundation
import Testing

@testable import Workbench

/// Space on a job that is still loading (the status line says `loading`).
@Suite struct LoadingJobPauseTests {
    /// Bug: a job started running (Runs' Enter, Home's items) that was still loading answered Space with
    /// `run`, as its status was not `running` yet, and ran on once loaded as if Space had not been pressed.
    /// Space now pauses it: once loaded it waits, paused, at step 0.
    @Test func spaceWhileLoadingPausesAJobStartedRunning() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let loaded = DispatchSemaphore(value: 0)
        let experiment = DeferredExperiment(label: "the fixture") {
            loaded.wait()
            return StepCountingExperiment()
        }
        let runner = Runner(experiment: experiment, label: "loading fixture")
        runner.start(running: true)
        defer { runner.send(.stop) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(Job(kind: .sampling, title: "ddim · slow", runner: runner, classNames: [], run: nil))
        #expect(runner.snapshot.status == .preparing)
        #expect((WorkbenchFixture.frame(state, width: 100, height: 30).last ?? "").contains("loading ddim · slow"))
        _ = state.handle(.key(.character(" ")))
        loaded.signal()
        let deadline = Date().addingTimeInterval(10)
        while runner.snapshot.status == .preparing && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        // Time for steps, had it gone on running.
        Thread.sleep(forTimeInterval: 0.3)
        #expect(runner.snapshot.status == .paused)
        #expect(runner.snapshot.step == 0)
        let status = WorkbenchFixture.frame(state, width: 100, height: 30).last ?? ""
        #expect(status.hasSuffix("paused ddim · slow · step 0/100"), "\(status)")
        // Space runs it again.
        _ = state.handle(.key(.character(" ")))
        while runner.snapshot.step == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(runner.snapshot.step > 0)
    }
}

/// An experiment of 100 steps that do nothing but count.
final class StepCountingExperiment: Experiment, @unchecked Sendable {
    private(set) var steps = 0

    func step() throws -> StepReport {
        steps += 1
        Thread.sleep(forTimeInterval: 0.001)
        return StepReport(metrics: [:])
    }
    var isFinished: Bool { steps >= 100 }
    var progress: (done: Int, total: Int) { (steps, 100) }
}
