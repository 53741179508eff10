import Engine
import Foundation
import Models
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// The Sample screen of a prior sampler (VAE, AAE, WAE): one step, no noise schedule.
@Suite struct SamplePriorViewTests {
    /// Bug: a VAE's prior sampler showed an empty "noise level and score norm" chart and the figures
    /// `noise level 0.0000`, `score norm 0`, which no prior sampler has; the figures are gone and the
    /// chart's panel says why.
    @Test func aPriorSamplerHasNoNoiseFiguresOrChart() throws {
        var generator = RandomGenerator(seed: 2)
        let vae = VariationalAutoencoder(pixels: 16, hidden: 8, latent: 3, generator: &generator)
        let sampler = try SamplerFactory.make(method: .prior, model: vae, pixels: 16, count: 4, seed: 1)
        let experiment = SamplingExperiment(
            sampler: sampler, method: "prior", imageWidth: 4, imageHeight: 4,
            modelSpaceToUnit: SamplerFactory.modelSpaceToUnit(.prior))
        _ = try experiment.step()
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.figures.map(\.name) == ["method", "step"])

        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let described = snapshot
        let job = WorkbenchFixture.job(kind: .sampling, title: "prior · v") { $0 = described }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 100, height: 30)
        let text = frame.joined(separator: "\n")
        #expect(!text.contains("│noise level") && !text.contains("│score norm"), "\(text)")
        #expect(!text.contains("per step (log)"), "\(text)")
        #expect(text.contains("╭ prior sampler") && text.contains("no noise level or score to chart"), "\(text)")
    }

    /// Bug: at 60x18 the x_t strip had one row inside its panel, which went to the (empty) caption: the
    /// strip was blank beside a predicted x_0 strip one row taller. An image without a caption takes the row.
    @Test func theXtStripDrawsItsImagesInOneRow() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .sampling, title: "ddim · d") { snapshot in
            let pictures = (0..<8).map { _ in
                Snapshot.Image(width: 4, height: 4, values: [Float](repeating: 1, count: 16))
            }
            snapshot.images["x_t"] = pictures
            snapshot.images["x0"] = pictures
            snapshot.figures = [("method", "ddim"), ("step", "3/50")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 60, height: 18)
        let text = frame.joined(separator: "\n")
        guard let top = frame.firstIndex(where: { $0.contains("╭ x_t") }) else {
            Issue.record("no x_t panel:\n\(text)")
            return
        }
        #expect(frame[top + 1].dropFirst().prefix(28).contains { $0 != " " }, "\(text)")
    }
}
