import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `n` in the Attack lab when starting the next attack drops an old finished or stopped job.
@Suite struct AttackLabNextDropTests {
    /// Bug: `n` told a started job by the job count growing; adding one that dropped an old finished job left
    /// the count as it was, so the attack left was not paused (it ran on in the background, outside the lab's
    /// four paused attacks) and the L2 rescaling went unsaid. It is paused now and both messages show.
    @Test func nPausesTheAttackLeftWhenTheStartDropsAnOldJob() throws {
        let root = try AttackLabCarryOverTests.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let trainings = (1...5).map { WorkbenchFixture.job(kind: .classifierTraining, title: "mlp \($0)") { _ in } }
        for job in trainings { state.add(job) }
        let attack = AttackLabCarryOverTests.fixture(method: "pgd", figures: [("eps", "0.1")], root: root)
        attack.runner.send(.run)
        state.add(attack)
        defer { for job in state.jobs + trainings + [attack] { job.runner.send(.stop) } }
        // Five stopped trainings, four not shown: the next job added drops the oldest.
        for job in trainings { job.stoppedByUser = true }
        var deadline = Date().addingTimeInterval(10)
        while attack.runner.snapshot.status != .running && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let count = state.jobs.count
        _ = state.handle(.key(.character("n")))
        #expect(state.jobs.count == count, "\(state.jobs.map(\.title))")
        #expect(state.jobs.last !== attack && state.jobs.last?.method == "pgd-l2")
        #expect(!state.jobs.contains { $0 === trainings[0] })
        #expect(attack.leftByNext)
        deadline = Date().addingTimeInterval(10)
        while attack.runner.snapshot.status != .paused && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(attack.runner.snapshot.status == .paused)
        #expect(
            state.message
                == "pgd-l2 at L2 eps 1: 10x the lab's L-inf eps 0.1 · dropped the stopped mlp 1 (the workbench keeps 4)",
            "\(state.message)")
    }
}
