import Engine
import Foundation
import Testing

@testable import Workbench

/// Runs' "evaluation now" panel for an evaluation that failed (`e` on a run whose weights are missing).
@Suite struct RunsEvaluationFailureTests {
    /// Bug: the panel was as tall as the evaluation's figures, which a failure has none of, so the one long
    /// line it shows was cut after its path ("failed: /tmp/runs/m/model.sa") and the reason never showed
    /// (the status line cut it too, at 100 columns). The panel now takes the rows the wrapped line needs.
    @Test func aFailedEvaluationShowsItsWholeReason() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "m", in: root, config: WorkbenchFixture.config(model: "mlp", created: "2026-01-01T00:00:00Z"))
        let run = RunDirectory(root: root, name: "m")
        let reason = "\(run.path)/model.safetensors: cannot open: No such file or directory"
        let runner = Runner(
            experiment: DeferredExperiment(label: "the run") { throw RunError(reason) }, label: "failing fixture")
        runner.start(running: true)
        defer { runner.send(.stop) }
        let deadline = Date().addingTimeInterval(10)
        while runner.snapshot.status == .preparing && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(Job(kind: .evaluation, title: "evaluate m", runner: runner, classNames: [], run: run))
        state.show(RunsScreen.self)
        let frame = WorkbenchFixture.frame(state, width: 100, height: 30)
        // The runs folder has a fixed width (25 columns): the path breaks after "model.safe".
        let panel = frame[1...8].map { String($0.dropFirst(60)) }
        expectLines(
            panel,
            [
                "╭ evaluation now · failed ─────────────╮",
                "│failed:                               │",
                "│\(root)/m/model.safe│",
                "│tensors: cannot open: No such file or │",
                "│directory                             │",
                "│                                      │",
                "╰──────────────────────────────────────╯",
                "╭ config.json ─────────────────────────╮",
            ])
    }
}
