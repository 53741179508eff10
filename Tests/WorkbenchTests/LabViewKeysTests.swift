import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's backdoor view and class sweep (`g`) have no eps and no learning rate: `+` and `-` there
/// say they do nothing in that view. Before, they answered "this job has no learning rate", the Train
/// screen's words, where the lab's help says `+` / `-` change eps.
@Suite struct LabViewKeysTests {
    @Test func plusAndMinusInTheBackdoorViewAndTheClassSweepSayTheyDoNothing() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "mlp-backdoor", in: root,
            config: """
                {"model": "mlp", "data": "synthetic", "epochs": 1, "epochs_done": 1, \
                "poison": {"method": "backdoor", "target": 0}}
                """)
        let run = RunDirectory(root: root, name: "mlp-backdoor")
        let backdoor = try Job.attack(run: run, running: false)
        defer { backdoor.runner.send(.stop) }
        let sweep = try Job.classSweep(run: run, image: 0, running: false)
        defer { sweep.runner.send(.stop) }
        for job in [backdoor, sweep] {
            for key in ["+", "-"] {
                #expect(job.controls(KeyEvent(.character(Character(key)))) == nil, "\(job.title): \(key)")
            }
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            state.add(job)
            _ = state.handle(.key(.character("+")))
            #expect(state.message == "+ does nothing in \(job.title) (? lists the keys)", "\(state.message)")
        }
    }
}
