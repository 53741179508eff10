import Attacks
import Base
import Bench
import Engine
import Foundation
import TensorCore

/// `manifold bench feature --run RUN --guide INDEX`: Manifold's feature adversaries against ART's
/// `FeatureAdversariesPyTorch` on the same weights, sources and guide (`FeatureAdversariesBenchmark`): the
/// relative feature distance, the share moved to the guide's class, and seconds, alternating rounds.
enum BenchFeatureCommand {
    static let count = CommandOption<Int>.integer(
        "n", default: 200, in: IntegerRange(1...),
        help: "sources: the first N test images of other classes than the guide's")
    static let eps = CommandOption<Double>.number(
        "eps", "E", default: 0.1, in: 0...1, excludingLower: true, help: "delta, the L-inf radius in (0, 1]")
    static let steps = CommandOption<Int>.integer(
        "steps", default: 100, in: IntegerRange(1...100_000), help: "sign-gradient steps on both sides")
    static let alpha = CommandOption<Double>.number(
        "alpha", "A", default: nil, in: 0...1, excludingLower: true, defaultText: "eps/10",
        help: "step size on both sides")
    static let batch = CommandOption<Int>.integer(
        "batch", "B", default: nil, in: IntegerRange(1...100_000), defaultText: "mlp 2000, cnn 500",
        help: "images per Manifold attack batch")

    static let declaration = CommandDeclaration(
        name: "bench feature", summary: "feature adversaries against ART on the same weights",
        about: """
            Feature adversaries (Sabour et al. 2016) by Manifold and by the Adversarial Robustness Toolbox
            1.20.1's FeatureAdversariesPyTorch with the same delta, steps, step size and layer, from the same
            sources towards the same guide: the mean relative feature distance ||phi(x') - phi(g)|| /
            ||phi(x) - phi(g)||, the share predicted as the guide's class, and seconds, alternating rounds,
            best of each. Needs a python with torch and adversarial-robustness-toolbox for the reference side.
            """,
        options: [
            SharedOptions.run.withHelp("a classifier run (mlp or cnn)").declaration,
            AttackCommand.Options.guide.declaration, AttackCommand.Options.layer.declaration, count.declaration,
            eps.declaration, steps.declaration, alpha.declaration, BenchCommand.Options.rounds.declaration,
            batch.declaration, BenchCommand.Options.python.declaration, BenchCommand.Options.noTorch.declaration,
            SharedOptions.json.declaration, SharedOptions.threads.declaration,
        ], required: ["run", "guide"])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        let python = try BenchCommand.referencePython(parsed)
        guard let runName = try parsed.given(SharedOptions.run) else {
            throw UsageError("'bench feature' needs '--run RUN' (a classifier run)")
        }
        guard parsed.isGiven(AttackCommand.Options.guide.name) else {
            throw UsageError(
                "'bench feature' needs '--guide INDEX' (the test image whose features the sources move onto)")
        }
        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        let model = loaded.model
        model.setTraining(false)
        let testSet = try loaded.testSet(override: nil, seed: 0)
        let setup = try FeatureAttackSetup(
            parsed, model: model, dataset: testSet.dataset, limited: testSet.limitNote != nil)
        let n = try parsed.value(count)
        guard n <= setup.dataset.testCount else {
            throw UsageError(
                "'--n' asks for \(n) sources but '\(setup.dataset.name)' has \(setup.dataset.testCount) test images "
                    + "of other classes than the guide's")
        }
        try NonFiniteOutputs.check(model, dataset: setup.dataset, count: n, run: loaded.run)
        let epsilon = Float(try parsed.value(eps))
        let rounds = try parsed.value(BenchCommand.Options.rounds)
        let benchmark = FeatureAdversariesBenchmark(
            model: model, sources: setup.dataset, count: n, guide: setup.guidePixels, guideLabel: setup.guideLabel,
            layer: setup.layer, epsilon: epsilon, steps: try parsed.value(steps),
            stepSize: Float(try parsed.value(alpha, default: Double(epsilon) / 10)),
            batchSize: try parsed.value(batch, default: model.kind == .mlp ? 2000 : 500),
            weightsFile: loaded.run.file("model.safetensors"), attacker: BenchAttackCommand.attackTestImages)
        let report = try benchmark.run(rounds: rounds, python: python)
        if parsed.has(SharedOptions.json) {
            print(json(report, benchmark: benchmark, setup: setup, rounds: rounds))
        } else {
            print(text(report, benchmark: benchmark, setup: setup, rounds: rounds))
        }
        return 0
    }

    static func json(
        _ report: FeatureAdversariesBenchmark.Report, benchmark: FeatureAdversariesBenchmark,
        setup: FeatureAttackSetup, rounds: Int
    ) -> String {
        func side(_ side: FeatureAdversariesBenchmark.Side) -> JSONValue {
            .object([
                "seconds": .number(side.seconds),
                "relative_feature_distance": .number(side.relativeFeatureDistance),
                "success_rate": .number(side.successRate),
            ])
        }
        var object: [String: JSONValue] = [
            "n": .integer(benchmark.count), "eps": .decimal(benchmark.epsilon),
            "steps": .integer(benchmark.steps), "alpha": .decimal(benchmark.stepSize),
            "rounds": .integer(rounds), "threads": .integer(ComputeThreads.count), "manifold": side(report.manifold),
        ]
        for (key, value) in setup.jsonFields { object[key] = value }
        if let art = report.art {
            object["art"] = side(art)
            object["distance_gap"] = .number(report.manifold.relativeFeatureDistance - art.relativeFeatureDistance)
            object["time_ratio"] = .number(art.seconds / report.manifold.seconds)
        }
        if let note = report.artNote { object["art_note"] = .string(note) }
        return JSONValue.object(object).serialized()
    }

    static func text(
        _ report: FeatureAdversariesBenchmark.Report, benchmark: FeatureAdversariesBenchmark,
        setup: FeatureAttackSetup, rounds: Int
    ) -> String {
        func row(_ name: String, _ ours: String, _ theirs: String?) -> String {
            name.padding(toLength: 26, withPad: " ", startingAt: 0) + ours.leftPadded(10) + "   "
                + (theirs ?? "-").leftPadded(10)
        }
        var lines = [
            String(
                format:
                    "feature adversaries (delta %g, %d steps of %g, layer %@) on %d %@ test images towards guide %d ('%@'); %d threads, best of %@",
                benchmark.epsilon, benchmark.steps, benchmark.stepSize, benchmark.layer, benchmark.count,
                setup.dataset.name, setup.guideIndex, setup.dataset.classNames[setup.guideLabel],
                ComputeThreads.count, counted(rounds, "alternating round")),
            row("", "manifold", "ART"),
            row(
                "relative feature distance", String(format: "%.4f", report.manifold.relativeFeatureDistance),
                report.art.map { String(format: "%.4f", $0.relativeFeatureDistance) }),
            row(
                "guide's class", String(format: "%.4f", report.manifold.successRate),
                report.art.map { String(format: "%.4f", $0.successRate) }),
            row(
                "seconds", String(format: "%.2f", report.manifold.seconds),
                report.art.map { String(format: "%.2f", $0.seconds) }),
        ]
        if let art = report.art {
            let gap = report.manifold.relativeFeatureDistance - art.relativeFeatureDistance
            lines.append(
                String(
                    format:
                        "manifold - ART: %+.4f relative distance (target <= 0: %@); ART/manifold time %.2fx (target > 1: %@)",
                    gap, TargetVerdict.text(gap, atMost: 0), art.seconds / report.manifold.seconds,
                    art.seconds > report.manifold.seconds ? "met" : "missed"))
        }
        if let note = report.artNote { lines.append("ART: \(note)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string right-aligned in `width` columns (unchanged when longer).
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
