import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `l` / `m` (log scale, smoothing) change the Train screen's loss chart, the only chart that has them.
/// Before, on the Attack lab, Sample, Compare or Robustness they changed nothing in view and said nothing,
/// and the Train screen was found in log scale later, for no reason the user could see.
@Suite struct ChartKeysTests {
    @Test func logScaleAndSmoothingSayWhereTheyApply() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let attack = WorkbenchFixture.job(kind: .attack, title: "pgd · clf") { _ in }
        defer { attack.runner.send(.stop) }
        state.add(attack)
        _ = state.handle(.key(.character("l")))
        _ = state.handle(.key(.character("m")))
        #expect(!state.logScale && state.smoothing)
        #expect(state.message == "m: smoothing applies to the Train screen's loss chart (2)", "\(state.message)")
        let training = WorkbenchFixture.job(kind: .classifierTraining, title: "mlp") { _ in }
        defer { training.runner.send(.stop) }
        state.add(training)
        _ = state.handle(.key(.character("l")))
        #expect(state.logScale)
        #expect(state.message == "loss chart: log scale", "\(state.message)")
        _ = state.handle(.key(.character("m")))
        #expect(!state.smoothing)
        #expect(state.message == "loss chart: smoothing off", "\(state.message)")
        _ = state.handle(.key(.character("m")))
        #expect(state.message == "loss chart: smoothing on", "\(state.message)")
        let frame = WorkbenchFixture.frame(state, width: 100, height: 30)
        #expect(frame[1].contains("loss terms per step (log)"), "\(frame[1])")
    }
}
