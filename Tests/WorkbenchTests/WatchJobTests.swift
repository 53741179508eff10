import Engine
import Foundation
import Testing

@testable import Workbench

/// Runs' `v` (and `manifold watch RUN`): the job that follows a run another process trains.
@Suite struct WatchJobTests {
    /// Bug: `v` built the watcher, which loads a classifier run's dataset, on the workbench's own thread: on a
    /// Fashion-MNIST run the screen froze for 1.1 s (in tmux) before Train showed the run, where every other job
    /// loads on its queue and says `loading`. `Job.watch` now returns before the data is read: with a data
    /// folder that is gone it returns a job that fails with the loader's message, where the load threw.
    @Test func watchingLoadsTheRunsDatasetOnTheJobsQueue() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "a", in: root,
            config: """
                {"model": "mlp", "data": "\(root)/gone", "epochs": 2, "epochs_done": 1, \
                "created": "2026-01-01T00:00:00Z"}
                """)
        let job = try Job.watch(run: RunDirectory(root: root, name: "a"))
        defer { job.runner.send(.stop) }
        #expect(job.kind == .watching && job.title == "watching a")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if case .failed = job.runner.snapshot.status { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        guard case .failed(let reason) = job.runner.snapshot.status else {
            Issue.record("the job did not fail: \(job.runner.snapshot.status)")
            return
        }
        #expect(reason.contains("\(root)/gone"), "\(reason)")
    }
}
