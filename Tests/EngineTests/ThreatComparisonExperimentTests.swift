import Attacks
import Engine
import Models
import TensorCore
import Testing

/// The Robustness screen's threat-model table: one cell per step, the table and bars it describes, and
/// the same cells as `ThreatModelComparison.run` (what `bench threats` prints).
struct ThreatComparisonExperimentTests {
    typealias Fixture = AttackExperimentTests

    static func comparison() -> ThreatModelComparison {
        var generator = RandomGenerator(seed: 9)
        let untrained = Classifier(kind: .mlp, hiddenWidth: 16, generator: &generator)
        return ThreatModelComparison(
            models: [("trained", Fixture.model()), ("untrained", untrained)], dataset: Fixture.dataset, count: 8,
            threats: ThreatModelComparison.standardThreats(steps: 3))
    }

    @Test func cellsFillInOnePerStepAsTheBenchComputesThem() throws {
        let experiment = try ThreatComparisonExperiment(comparison: Self.comparison())
        #expect(experiment.progress.total == 8 && !experiment.isFinished)
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        let empty = try #require(snapshot.tables["threat models"])
        #expect(empty[0] == ["threat", "budget", "trained: acc · dist", "untrained: acc · dist"])
        #expect(empty.map { $0[0] } == ["threat", "clean", "pgd-linf", "pgd-l2", "spatial", "lpa"])
        #expect(empty[2][2] == "…" && snapshot.bars["threat models"]?.isEmpty == true)
        _ = try experiment.step()
        snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.tables["threat models"]?[2][2] != "…" && snapshot.tables["threat models"]?[2][3] == "…")
        #expect(snapshot.bars["threat models"]?.map(\.label) == ["pgd-linf · trained"])
        while !experiment.isFinished { _ = try experiment.step() }
        let (clean, cells) = try Self.comparison().run()
        for threat in cells.indices {
            for model in cells[threat].indices {
                let stepped = try #require(experiment.cells[threat][model])
                #expect(stepped.robustAccuracy == cells[threat][model].robustAccuracy)
                #expect(abs(stepped.perceptualDistance - cells[threat][model].perceptualDistance) < 1e-9)
            }
        }
        #expect(experiment.cleanAccuracy.compactMap { $0 } == clean)
        #expect(snapshot.figures.contains { $0.name == "images" })
    }
}
