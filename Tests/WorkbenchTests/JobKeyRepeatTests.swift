import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// Keys that start a job and stay on the screen of the job they start: held down (key repeat), each
/// repeat started another copy of the job already under way, each loading its models and data.
@Suite struct JobKeyRepeatTests {
    /// The standard screens on a runs folder holding the classifier run `a`, on screen `screen` (1-based).
    static func workbench(root: String, screen: Character) throws -> WorkbenchState {
        try RunsBrowserTests.write("a", in: root)
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        _ = state.handle(.key(.character(screen)))
        return state
    }

    /// Bug: `t` on the Robustness screen started the threat-model table of the run shown, and the table's job
    /// is shown there too, so `t` held down started one more table a repeat: 30 held 31 tables, each loading
    /// both classifiers and the data (2.2 GB on the synthetic digits). While the run's table is under way,
    /// `t` shows it and says so.
    @Test func tHeldOnRobustnessStartsOneThreatTable() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = try Self.workbench(root: root, screen: "7")
        let run = RunDirectory(root: root, name: "a")
        let table = WorkbenchFixture.job(kind: .robustness, title: "threat models · a", run: run) { _ in }
        defer { for job in state.jobs { job.runner.send(.stop) } }
        state.add(table)
        for _ in 0..<3 { _ = state.handle(.key(.character("t"))) }
        #expect(state.jobs.count == 1)
        #expect(state.active === table)
        #expect(state.message == "t: the threat-model table of a is under way already (x stops it)")
    }

    /// Bug: `w` in the Attack lab started AutoAttack on the lab's classifier, and the AutoAttack job is shown
    /// in the lab, so `w` held down started one more AutoAttack a repeat (30 held 31, 1.9 GB on the synthetic
    /// digits), all running at once. While AutoAttack on the run is under way, `w` shows it and says so.
    @Test func wHeldInTheAttackLabStartsOneAutoAttack() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = try Self.workbench(root: root, screen: "4")
        // With weights, so that the AutoAttack loads and runs (without, it failed at once, no longer under way,
        // once the lab stopped reading the training images before the checkpoint).
        var generator = RandomGenerator(seed: 1)
        try Data(try SafeTensorsFormat.encode(Checkpoint.file(of: Classifier(kind: .mlp, generator: &generator))))
            .write(to: URL(fileURLWithPath: "\(root)/a/model.safetensors"))
        let run = RunDirectory(root: root, name: "a")
        let pgd = WorkbenchFixture.job(kind: .attack, title: "pgd · a", run: run) { _ in }
        pgd.method = "pgd"
        defer { for job in state.jobs { job.runner.send(.stop) } }
        state.add(pgd)
        for _ in 0..<3 { _ = state.handle(.key(.character("w"))) }
        #expect(state.jobs.count == 2)
        #expect(state.jobs.filter { $0.method == "autoattack" }.count == 1)
        #expect(state.message == "w: AutoAttack on a is under way already (x stops it)")
        // Back on the PGD attack, `w` shows the AutoAttack under way rather than starting a second.
        _ = state.handle(.key(.character("[")))
        #expect(state.active === pgd)
        _ = state.handle(.key(.character("w")))
        #expect(state.jobs.count == 2)
        #expect(state.active?.method == "autoattack")
    }
}
