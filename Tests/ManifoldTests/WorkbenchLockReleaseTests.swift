import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// A workbench training job holds its run's lock while it can still write the run, and no longer.
@Suite struct WorkbenchLockReleaseTests {
    /// A saved run `r` of the MLP (300 images, 6 steps an epoch) under `root`.
    static func savedRun(root: String) throws -> RunDirectory {
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--train-limit", "300", "--test-limit", "50", "--batch", "50", "--quiet"],
            runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        return RunDirectory(root: root, name: "r")
    }

    /// Waits (at most two minutes) until `job`'s status is `status`; a failed job fails the test.
    static func wait(for status: Snapshot.Status, of job: Job) {
        let deadline = Date().addingTimeInterval(120)
        while job.runner.snapshot.status != status && Date() < deadline {
            if case .failed(let reason) = job.runner.snapshot.status {
                Issue.record("\(reason)")
                return
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(job.runner.snapshot.status == status)
    }

    /// Bug: a training stopped with `x` kept its run locked for as long as the workbench kept the stopped job
    /// (the newest four stay): Runs' `t` on the run said it was "being trained by another job of this
    /// process; wait for it to finish", and `d` refused to delete it ("stop that training first"). Stopped,
    /// the job gives the lock up, and the run can be trained on again.
    @Test func aTrainingStoppedWithXGivesUpItsRunsLock() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = try Self.savedRun(root: root)
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic",
            screens: ScreenRegistry.standard(runsRoot: root))
        let job = try Job.resume(run: run, extraEpochs: 1, running: false)
        defer { for job in state.jobs { job.runner.send(.stop) } }
        Self.wait(for: .paused, of: job)
        state.add(job)
        #expect(RunLock.holder(of: run) == "another job of this process")
        _ = state.handle(.key(.character("x")))
        Self.wait(for: .stopped, of: job)
        #expect(RunLock.holder(of: run) == nil)
        let again = try Job.resume(run: run, extraEpochs: 1, running: false)
        again.runner.send(.stop)
    }

    /// Bug: the same for a training that had finished: its run stayed locked until the job was dropped.
    @Test func aFinishedTrainingGivesUpItsRunsLock() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = try Self.savedRun(root: root)
        let job = try Job.resume(run: run, extraEpochs: 1, running: true)
        defer { job.runner.send(.stop) }
        Self.wait(for: .finished, of: job)
        #expect(RunLock.holder(of: run) == nil)
        let config = String(decoding: try run.read("config.json"), as: UTF8.self)
        #expect(config.contains("\"epochs_done\": 2"), "\(config)")
    }
}
