import Datasets
import Engine
import Foundation
import Testing

@testable import Workbench

/// The Attack lab's backdoor view (Runs `Enter` on a `poison backdoor` run) measures the run's own test set,
/// as `poison backdoor` measured it and `eval` measures it, so the three agree.
@Suite struct BackdoorViewFiguresTests {
    /// Trains a backdoor run `name` under `root` on `dataset` (read from `dataSpec`) as `poison backdoor` does.
    static func poison(_ name: String, dataset: Dataset, dataSpec: String, root: String) throws
        -> PoisonedTraining.Outcome
    {
        let recipe = PoisonedTraining(
            method: .backdoor, kind: .mlp, dataSpec: dataSpec, epochs: 1, batch: 32, learningRate: 1e-3, seed: 0,
            target: 0)
        return try recipe.train(on: dataset, fraction: 0.1, run: RunDirectory(root: root, name: name))
    }

    /// Opens the backdoor view of run `name` and waits for its figures.
    static func figures(_ name: String, root: String) throws -> [String: String] {
        let job = try Job.attack(run: RunDirectory(root: root, name: name), running: true)
        defer { job.runner.send(.stop) }
        let deadline = Date().addingTimeInterval(120)
        while job.runner.snapshot.figures.first(where: { $0.name == "attack success rate" }) == nil,
            Date() < deadline
        {
            if case .failed(let reason) = job.runner.snapshot.status {
                Issue.record("\(reason)")
                return [:]
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return Dictionary(job.runner.snapshot.figures.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// Bug: a run trained with `--test-limit 60` showed clean accuracy and attack success rate on the first
    /// 2,000 test images (0.7725 and 0.9612 where `poison backdoor` printed 0.77 and 0.946); the view now
    /// measures the run's 60, computing the rate as `poison backdoor` does, and shows how many it measured.
    @Test func theFiguresAreThoseOfPoisonBackdoor() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let dataset = try DatasetLoader.load("synthetic", seed: 0).subset(train: 300, test: 60)
        let outcome = try Self.poison("bd", dataset: dataset, dataSpec: "synthetic", root: root)
        let figures = try Self.figures("bd", root: root)
        #expect(figures["test images"] == "60")
        #expect(figures["clean accuracy"] == String(format: "%.4f", outcome.cleanAccuracy))
        #expect(figures["attack success rate"] == String(format: "%.4f", try #require(outcome.attackSuccessRate)))
        #expect(figures["examples"] == nil)
    }

    /// The poisoned examples are training images; on a data folder whose training files are gone (which
    /// `eval` and `attack` take) the view shows test images instead, and says so, where it failed before.
    @Test func withoutTrainingFilesTheExamplesAreTestImages() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let data = "\(root)/idx"
        try TinyIDXFolder.write(data, count: 60)
        let dataset = try DatasetLoader.load(data, seed: 0)
        let outcome = try Self.poison("bd", dataset: dataset, dataSpec: data, root: root)
        try TinyIDXFolder.write(data, count: 60, training: false)
        let figures = try Self.figures("bd", root: root)
        #expect(figures["examples"] == "test images (no training files read)")
        #expect(figures["attack success rate"] == String(format: "%.4f", try #require(outcome.attackSuccessRate)))
    }
}
