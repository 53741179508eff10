import Engine
import Foundation
import Testing

@testable import Workbench

/// The status line's progress of a job whose progress counts other units than steps.
@Suite struct ProgressUnitTextTests {
    /// Bug: a robustness sweep's progress counts hundredths of a cell (an attack at a radius), but the status
    /// line called them steps ("step 340/2100"), and `.` (one iteration) moved it by 0 to 5. It shows the share
    /// done (`RobustnessSweepTests` checks the sweep says so); jobs that count steps keep "step N/M".
    @Test func aProgressInOtherUnitsShowsAsTheShareDone() throws {
        for (countsSteps, expected, absent) in [(false, "25% done", "step 3/12"), (true, "step 3/12", "% done")] {
            let root = WorkbenchFixture.runsRoot()
            defer { cleanup(root) }
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            let runner = Runner(
                experiment: FixedSnapshotExperiment(countsSteps: countsSteps) { _ in }, label: "fixture")
            runner.start(running: false)
            defer { runner.send(.stop) }
            let deadline = Date().addingTimeInterval(10)
            while runner.snapshot.status != .paused && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
            state.add(Job(kind: .robustness, title: "robustness · m", runner: runner, classNames: [], run: nil))
            let frame = WorkbenchFixture.frame(state, width: 120, height: 40)
            let status = try #require(frame.last)
            #expect(status.contains(expected) && !status.contains(absent), "\(status)")
            state.current = 0
            let home = WorkbenchFixture.frame(state, width: 120, height: 40).joined(separator: "\n")
            #expect(home.contains(countsSteps ? "paused, step 3" : "paused, 25% done"), "\(home)")
        }
    }
}
