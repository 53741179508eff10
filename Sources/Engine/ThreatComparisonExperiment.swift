import Attacks
import Foundation
import Models

/// `ThreatModelComparison` as a runner experiment for the Robustness screen: one classifier under one
/// threat model per step (L-inf PGD, L2 PGD, spatial, LPA; Laidlaw, Singla & Feizi 2021's point that
/// training against one L_p ball does not buy robustness to the other families), so the table fills in
/// cell by cell and `x` cancels between any two.
///
/// Snapshot: `tables["threat models"]` (a row per threat: name, budget, then per model its robust
/// accuracy and the perturbations' mean perceptual distance by the first model's features), `bars["threat
/// models"]` (robust accuracy per threat and model), figures (images, models' clean accuracy, yardstick).
public final class ThreatComparisonExperiment: VisualExperiment {
    public let comparison: ThreatModelComparison
    /// `cells[threat][model]`, nil until attacked.
    public private(set) var cells: [[ThreatModelComparison.Cell?]]
    public private(set) var cleanAccuracy: [Double?]
    private let yardstick: PerceptualDistance
    private var done = 0

    /// - Throws: `AttackError` when the first model has no hidden layer for the perceptual yardstick.
    public init(comparison: ThreatModelComparison) throws {
        self.comparison = comparison
        yardstick = try PerceptualDistance(classifier: comparison.models[0].classifier)
        cells = comparison.threats.map { _ in comparison.models.map { _ in nil } }
        cleanAccuracy = comparison.models.map { _ in nil }
    }

    public var isFinished: Bool { done >= comparison.threats.count * comparison.models.count }
    public var progress: (done: Int, total: Int) { (done, comparison.threats.count * comparison.models.count) }

    public func step() throws -> StepReport {
        guard !isFinished else { return StepReport(metrics: [:]) }
        let (threat, model) = (done / comparison.models.count, done % comparison.models.count)
        let (cell, clean) = try comparison.attack(threat: threat, model: model, yardstick: yardstick)
        cells[threat][model] = cell
        cleanAccuracy[model] = clean
        done += 1
        return StepReport(metrics: ["robust_accuracy": cell.robustAccuracy])
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let names = comparison.models.map(\.name)
        var table = [["threat", "budget"] + names.map { "\($0): acc · dist" }]
        table.append(
            ["clean", ""] + cleanAccuracy.map { $0.map { String(format: "%.3f", $0) } ?? "…" })
        var bars: [Snapshot.Bar] = []
        for (index, threat) in comparison.threats.enumerated() {
            table.append(
                [threat.name, threat.budget]
                    + cells[index].map { cell in
                        cell.map { String(format: "%.3f · %.3f", $0.robustAccuracy, $0.perceptualDistance) } ?? "…"
                    })
            for (model, cell) in cells[index].enumerated() {
                if let cell {
                    bars.append(Snapshot.Bar(label: "\(threat.name) · \(names[model])", value: cell.robustAccuracy))
                }
            }
        }
        snapshot.tables["threat models"] = table
        snapshot.bars["threat models"] = bars
        let (done, total) = progress
        snapshot.figures = [
            ("images", "\(comparison.count) (\(comparison.dataset.name) test)"), ("cells", "\(done)/\(total)"),
            ("yardstick", "\(names[0])'s perceptual distance"),
        ]
    }
}
