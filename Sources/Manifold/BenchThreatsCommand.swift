import Attacks
import Base
import Engine
import Foundation
import TensorCore

/// `manifold bench threats --runs STD,ROBUST`: robust accuracy of several classifier runs under L-inf PGD,
/// L2 PGD, the spatial grid and LPA in one table, with each budget's visibility by one perceptual yardstick
/// (`ThreatModelComparison`).
enum BenchThreatsCommand {
    static let runs = CommandOption<[String]>(
        "runs", kind: .string, placeholder: "RUN,RUN,...", default: nil,
        help: "classifier runs on the same data; the first one's features measure every perturbation"
    ) { text throws(UsageError) in
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !names.contains(where: \.isEmpty) else {
            throw UsageError(
                "option '--runs' must be run names separated by commas, got '\(Sanitize.line(text, limit: 60))'")
        }
        return names
    }
    static let count = CommandOption<Int>.integer(
        "n", default: nil, in: IntegerRange(1...), defaultText: "500, or all the test images when fewer",
        help: "test images attacked")
    static let linf = CommandOption<Double>.number(
        "eps", "E", default: 0.1, in: 0...1, excludingLower: true, help: "L-inf PGD radius")
    static let l2 = CommandOption<Double>.number(
        "l2", "E", default: 1.5, in: 0...L2RadiusLimit.parserBound, excludingLower: true,
        upperText: L2RadiusLimit.upperText,
        help: "L2 PGD radius, at most sqrt(H x W) (28 for 28x28 images)")
    static let rotation = CommandOption<Double>.number(
        "rotation", "DEG", default: 10, in: 0...180, help: "spatial: largest rotation either way")
    static let shift = CommandOption<Int>.integer(
        "shift", "PX", default: 1, in: IntegerRange(0...64), help: "spatial: largest shift either way")
    static let bound = CommandOption<Double>.number(
        "bound", "B", default: 0.1, in: 0...4, excludingLower: true,
        help: "LPA's bound on each model's own perceptual distance")
    static let steps = CommandOption<Int>.integer(
        "steps", default: 20, in: IntegerRange(1...10_000), help: "PGD steps, and LPA's per round (5 rounds)")

    static let declaration = CommandDeclaration(
        name: "bench threats", summary: "robust accuracy under L-inf, L2, spatial and perceptual threat models",
        about: """
            Attacks each classifier run's first test images with L-inf PGD, L2 PGD (both 20 steps, random
            start), the spatial grid (rotations and shifts) and LPA (Laidlaw et al. 2021, each model bounded by
            its own perceptual distance), and prints robust accuracy per run and threat model, with the mean
            L-inf, L2 and perceptual distance of the perturbations, the latter by the first run's features
            for every run (one yardstick of visibility). Choose budgets whose perturbations measure alike.
            """,
        options: [
            runs.declaration, count.declaration, linf.declaration, l2.declaration, rotation.declaration,
            shift.declaration, bound.declaration, steps.declaration, SharedOptions.json.declaration,
            SharedOptions.quiet.declaration, SharedOptions.threads.declaration,
        ], required: ["runs"])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        guard let names = try parsed.given(runs) else {
            throw UsageError("'bench threats' needs '--runs RUN,RUN' (classifier runs)")
        }
        let loaded = try names.map { try LoadedClassifierRun.load($0, option: "--runs") }
        // The same run twice (by any spelling of it) would measure one model as two rows.
        for (index, run) in loaded.enumerated()
        where loaded[..<index].contains(where: { $0.run.path == run.run.path }) {
            throw UsageError("option '--runs' lists '\(Sanitize.line(run.run.name))' twice")
        }
        let testSet = try loaded[0].testSet(override: nil, seed: 0)
        let dataset = testSet.dataset
        for other in loaded.dropFirst() {
            let model = other.model
            guard model.imageHeight == dataset.imageHeight, model.imageWidth == dataset.imageWidth,
                model.classCount == dataset.classCount
            else {
                throw UsageError(
                    "option '--runs': '\(other.run.name)' takes \(model.imageHeight)x\(model.imageWidth) images and "
                        + "\(model.classCount) classes; '\(loaded[0].run.name)' \(dataset.imageHeight)x"
                        + "\(dataset.imageWidth) and \(dataset.classCount)")
            }
            // Every run is attacked on the first run's test images: a run of other data would be scored on
            // images it never learned (a Fashion MLP on synthetic digits: clean 0.05).
            guard other.dataSpec == loaded[0].dataSpec else {
                throw UsageError(
                    "option '--runs': '\(Sanitize.line(other.run.name))' was trained on \(Sanitize.line(other.dataSpec)), "
                        + "'\(Sanitize.line(loaded[0].run.name))' on \(Sanitize.line(loaded[0].dataSpec)); "
                        + "bench threats attacks every run on the same test images")
            }
        }
        let n = try parsed.value(count, default: min(500, dataset.testCount))
        try testSet.checkCount(n)
        for run in loaded { try NonFiniteOutputs.check(run.model, dataset: dataset, count: n, run: run.run) }
        let (eps, eps2, bound) = (Float(try parsed.value(linf)), Float(try parsed.value(l2)), try parsed.value(bound))
        try L2RadiusLimit.check(Double(eps2), option: l2.name, text: parsed.values[l2.name], dataset: dataset)
        let (rotation, shift, steps) = (try parsed.value(rotation), try parsed.value(shift), try parsed.value(steps))
        let threats = ThreatModelComparison.standardThreats(
            eps: eps, l2: eps2, rotation: rotation, shift: shift, bound: bound, steps: steps)
        let comparison = ThreatModelComparison(
            models: loaded.map { ($0.run.name, $0.model) }, dataset: dataset, count: n, threats: threats)
        let progress = ProgressReporter(label: "bench threats", quiet: parsed.has(SharedOptions.quiet))
        let (clean, cells) = try comparison.run { threat, model in
            progress.update(done: 0, total: 1, detail: "\(threat) on \(model)")
        }
        if parsed.has(SharedOptions.json) {
            var rows: [JSONValue] = []
            for (threat, row) in zip(threats, cells) {
                for (run, cell) in zip(names, row) {
                    rows.append(
                        .object([
                            "threat": .string(threat.name), "budget": .string(threat.budget), "run": .string(run),
                            "robust_accuracy": .number(cell.robustAccuracy),
                            "perceptual_distance": .number(cell.perceptualDistance), "mean_l2": .number(cell.meanL2),
                            "mean_linf": .number(cell.meanLinf), "seconds": .number(cell.seconds),
                        ]))
                }
            }
            let object: [String: JSONValue] = [
                "n": .integer(n), "runs": .array(names.map { .string($0) }),
                "clean_accuracy": .array(clean.map { .number($0) }), "rows": .array(rows),
                "yardstick": .string(loaded[0].run.name),
            ]
            print(JSONValue.object(object).serialized())
        } else {
            print(
                "robust accuracy on \(n) \(dataset.name) test images; perturbations measured by \(names[0])'s perceptual distance"
            )
            let width = max(12, names.map(\.count).max() ?? 0)
            func pad(_ text: String, _ w: Int) -> String { text.padding(toLength: w, withPad: " ", startingAt: 0) }
            print(
                pad("threat", 10) + pad("budget", 20) + names.map { pad($0, width + 2) }.joined()
                    + "distance / L2 / L-inf per run")
            print(pad("clean", 30) + clean.map { pad(String(format: "%.4f", $0), width + 2) }.joined())
            for (threat, row) in zip(threats, cells) {
                print(
                    pad(threat.name, 10) + pad(threat.budget, 20)
                        + row.map { pad(String(format: "%.4f", $0.robustAccuracy), width + 2) }.joined()
                        + row.map {
                            String(format: "%.3f / %.2f / %.2f", $0.perceptualDistance, $0.meanL2, $0.meanLinf)
                        }
                        .joined(separator: "   "))
            }
        }
        return 0
    }
}
