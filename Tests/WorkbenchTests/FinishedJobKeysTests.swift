import Engine
import Foundation
import Testing

@testable import Workbench

/// Space, `.` and `>` on a job that has finished: nothing is left to run, and the status line says so.
@Suite struct FinishedJobKeysTests {
    /// Bug: on a finished job (a sampler at its last step, an attack at its last iteration, a training at its
    /// last epoch) Space, `.` and `>` did nothing without a word, the status line keeping whatever it said
    /// before; README promises that a key that does nothing says so (as it does on a job stopped with `x`).
    @Test func runAndStepKeysOnAFinishedJobSaySo() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        let job = try Job.attack(run: RunDirectory(root: root, name: "clf"), running: true)
        defer { job.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(60)
        while job.runner.snapshot.status != .finished && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        try #require(job.runner.snapshot.status == .finished)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(job)
        for (key, name) in [(Character(" "), "Space"), (".", "."), (">", ">")] {
            state.message = ""
            _ = state.handle(.key(.character(key)))
            #expect(
                state.message == "\(name) does nothing: pgd · clf has finished",
                "\(state.message)")
            let status = WorkbenchFixture.frame(state, width: 120, height: 40).last ?? ""
            #expect(status.contains("\(name) does nothing: pgd · clf has finished"), "\(status)")
        }
    }
}
