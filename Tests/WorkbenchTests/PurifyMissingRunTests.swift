import Engine
import Foundation
import Testing

@testable import Workbench

/// `p` in the Attack lab on a classifier run that is gone from the runs folder.
@Suite struct PurifyMissingRunTests {
    /// Bug: with the lab's classifier run deleted (Runs' `d`) and a DDPM run beside it, `p` said "no DDPM or
    /// DAE run on this classifier's data to purify with: train one first", as `n` and `w` did not: they name
    /// the missing config.json. `p` now names it too.
    @Test func pOnADeletedClassifierRunNamesItsConfig() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "d", in: root, config: WorkbenchFixture.config(model: "ddpm", created: "2026-01-01T00:00:00Z"))
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.pgdLabJob(root: root, run: "m", image: "0 (true: 0)")
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(.character("p")))
        #expect(state.jobs.count == 1)
        let status = WorkbenchFixture.frame(state, width: 120, height: 40).last ?? ""
        #expect(
            status.hasPrefix(" q quit  ? keys  \(root)/m/config.json: cannot open: No such file or directory"),
            "\(status)")
        #expect(!status.contains("no DDPM or DAE run"), "\(status)")
    }
}
