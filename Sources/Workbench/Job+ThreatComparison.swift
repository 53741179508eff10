import Attacks
import Base
import Engine
import Foundation
import Models

extension Job {
    /// Robust accuracy of classifier run `run` and of `sweepPartner(of:)` (the newest run of the same data
    /// trained the other way, standard first) under L-inf PGD eps 0.1, L2 PGD eps 2.2 on 28x28 images (as
    /// visible as L-inf 0.1 by the standard CNN's perceptual yardstick, README; on other sizes the same share
    /// of the images' largest L2 distance, `l2Budget`), the spatial grid
    /// (±10 degrees, ±1 pixel) and LPA bound 0.1 on the first 200 test images: `manifold bench threats`'
    /// table, filled in one cell per step on the Robustness screen.
    static func threatComparison(run: RunDirectory, running: Bool, count: Int = 200) throws -> Job {
        var runs = [run]
        if let partner = sweepPartner(of: run) {
            let robustFirst = (try? run.readConfig())?["adversarial"] != nil
            runs = robustFirst ? [partner, run] : [run, partner]
        }
        let experiment = DeferredExperiment(label: "the classifiers and their dataset") {
            let loaded = try runs.map { try LoadedClassifierRun.load(run: $0, option: "the threat-model table") }
            let dataset = try loaded[0].dataset(override: nil, seed: 0)
            for item in loaded {
                item.model.setTraining(false)
                guard item.model.imageHeight * item.model.imageWidth == dataset.pixelCount,
                    item.model.classCount == dataset.classCount
                else { throw RunError("run '\(Sanitize.line(item.run.name))' does not take this dataset's images") }
            }
            return try ThreatComparisonExperiment(
                comparison: ThreatModelComparison(
                    models: loaded.map { ($0.run.name, $0.model) }, dataset: dataset,
                    count: min(count, dataset.testCount),
                    threats: ThreatModelComparison.standardThreats(l2: l2Budget(pixels: dataset.pixelCount))))
        }
        let runner = Runner(experiment: experiment, label: "threats", heavyEvery: 1, heavyInterval: 0.1)
        runner.start(running: running)
        return Job(
            kind: .robustness, title: threatTitlePrefix + runs.map(\.name).joined(separator: " | "), runner: runner,
            classNames: [], run: run)
    }

    /// The table's L2 radius for images of `pixels`: 2.2 on 28x28 images, and on others the same share of
    /// the largest L2 distance between two images, sqrt(pixels) (0.0786 on 1x1 images, where 2.2 failed the
    /// row: no L2 ball there is wider than 1), to three significant digits.
    static func l2Budget(pixels: Int) -> Float {
        let scaled = 2.2 * Double(pixels).squareRoot() / 28
        return Float(String(format: "%.3g", scaled)) ?? Float(scaled)
    }

    /// How a threat-model table's title starts.
    private static let threatTitlePrefix = "threat models · "

    /// Whether `job` is a threat-model table (`threatComparison`).
    static func isThreatComparison(_ job: Job) -> Bool {
        job.kind == .robustness && job.title.hasPrefix(threatTitlePrefix)
    }
}
