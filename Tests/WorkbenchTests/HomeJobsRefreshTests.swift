import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Home lists every job with its status and step, so it is redrawn when any of them changes.
@Suite struct HomeJobsRefreshTests {
    /// Bug: the workbench redraws when the shown job's snapshot changes (its signature), and Home shows no job
    /// of its own: its jobs panel kept each job's status and step as they were when Home was drawn last
    /// (`running, step 55` while the MLP trained on, `loading` for jobs long finished loading) until a key was
    /// pressed. Home's signature now changes with every job's status and step.
    @Test func homesSignatureChangesWhenAJobItListsChanges() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "pgd · a") { _ in }
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(.character("1")))
        #expect(state.active == nil)
        let paused = state.snapshotSignature()
        job.runner.send(.stop)
        let deadline = Date().addingTimeInterval(10)
        while job.runner.snapshot.status != .stopped && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(job.runner.snapshot.status == .stopped)
        #expect(state.snapshotSignature() != paused)
        #expect(WorkbenchFixture.frame(state, width: 120, height: 40).contains { $0.contains("pgd · a: stopped") })
    }
}
