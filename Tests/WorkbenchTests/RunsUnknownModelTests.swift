import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `Enter` on a run whose config.json names a model this build does not know.
@Suite struct RunsUnknownModelTests {
    /// Bug: Enter tried to sample it and said "is not a model that can be sampled (vae, aae, wae, dae or
    /// ddpm)", as if it were a classifier or PCA; it says now that the model is none Manifold knows.
    @Test func enterOnAnUnknownModelSaysItIsNoneManifoldKnows() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "m", in: root, config: WorkbenchFixture.config(model: "foo", created: "2026-01-01T00:00:00Z"))
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        _ = state.handle(.key(KeyEvent(.enter)))
        #expect(
            state.message
                == "run 'm' (model foo) is not a model Manifold knows (mlp, cnn, pca, ae, vae, aae, wae, dae or ddpm)",
            "\(state.message)")
        #expect(state.jobs.isEmpty)
    }
}
