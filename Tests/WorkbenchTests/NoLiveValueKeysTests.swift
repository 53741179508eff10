import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Jobs that train nothing and have no eps (the robustness view, the threat-model table, a watched run): `+`
/// and `-` there do nothing, and say so as every key that does nothing does.
@Suite struct NoLiveValueKeysTests {
    /// Bug: on the Robustness screen (and on a run watched with Runs' `v`) `+` and `-` answered "this job has
    /// no learning rate", the Train screen's words, where the lab views say "+ does nothing in backdoor · RUN
    /// (? lists the keys)" (LabViewKeysTests); the key went to the job's runner for nothing.
    @Test func plusAndMinusOnJobsWithoutALiveValueSayTheyDoNothing() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        for (kind, title) in [(Job.Kind.robustness, "robustness · clf"), (.watching, "watching clf")] {
            let job = WorkbenchFixture.job(kind: kind, title: title) { _ in }
            defer { job.runner.send(.stop) }
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            state.add(job)
            for key in ["+", "-"] {
                #expect(job.controls(KeyEvent(.character(Character(key)))) == nil, "\(title): \(key)")
                _ = state.handle(.key(.character(Character(key))))
                #expect(state.message == "\(key) does nothing in \(title) (? lists the keys)", "\(state.message)")
            }
        }
    }
}
