import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore
import Testing

@testable import Workbench

/// `p` (purify the lab's adversarial image) after a method that has no eps-ball.
@Suite struct AttackLabPurifyEpsTests {
    /// The classifier run `clf` of `AttackLabCarryOverTests` and, beside it, a DAE run to purify with.
    static func runsRoot() throws -> String {
        let root = try AttackLabCarryOverTests.runsRoot()
        try WorkbenchFixture.writeRun(
            "dae", in: root,
            config: """
                {"model": "dae", "dataset": "synthetic", "data": "synthetic", "epochs": 1, "epochs_done": 1, \
                "created": "2025-01-02T00:00:00Z", "latent": 16, "pixels": 784}
                """)
        let run = RunDirectory(root: root, name: "dae")
        let settings = try GenerativeSettings(config: try run.readConfig(), kind: .dae, source: "config.json")
        var generator = RandomGenerator(seed: 2)
        let model = try GenerativeFactory.make(.dae, settings: settings, pixels: 784, generator: &generator)
        try Data(try SafeTensorsFormat.encode(Checkpoint.file(of: model)))
            .write(to: URL(fileURLWithPath: run.file("model.safetensors")))
        return root
    }

    /// Bug: `p` on a CW attack (which shows `eps none`) read no eps and fell back to 0.1: the view named
    /// the attack "cw eps 0.1", and its adaptive attacks ran at 0.1 whatever eps the lab had. It now says
    /// CW has no eps, and the adaptive attacks keep the lab's eps (here 0.2).
    @Test func pAfterAMethodWithoutEpsSaysSo() throws {
        let root = try Self.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let fixture = WorkbenchFixture.job(kind: .attack, title: "cw · clf") { snapshot in
            snapshot.figures = [
                ("method", "cw"), ("eps", "none"), ("iteration", "5/100"), ("image", "0 (true: 3)"),
            ]
            snapshot.images["adversarial"] = [
                Snapshot.Image(width: 28, height: 28, values: [Float](repeating: 0.5, count: 784))
            ]
        }
        defer { fixture.runner.send(.stop) }
        let job = Job(
            kind: .attack, title: "cw · clf", runner: fixture.runner, classNames: [],
            run: RunDirectory(root: root, name: "clf"))
        job.method = "cw"
        job.epsilon = 0.2
        state.add(job)
        _ = state.handle(.key(.character("p")))
        let started = try #require(state.jobs.count == 2 ? state.jobs.last : nil, "\(state.message)")
        defer { started.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(60)
        var attack: String?
        while attack == nil && Date() < deadline {
            if case .failed(let reason) = started.runner.snapshot.status { Issue.record("\(reason)") }
            attack = started.runner.snapshot.figures.first { $0.name == "attack" }?.value
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(attack == "cw (the lab's; no eps: a/A at 0.2)", "attack \(attack ?? "not shown")")
    }
}
