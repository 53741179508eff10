import Attacks
import Base
import Bench
import Engine
import Foundation
import TensorCore

/// `manifold bench autoattack --run RUN`: Manifold's AutoAttack against torchattacks' on the same weights
/// and test images (`AutoAttackBenchmark`), robust accuracy per component and seconds, alternating rounds.
enum BenchAutoAttackCommand {
    static let count = CommandOption<Int>.integer(
        "n", default: nil, in: IntegerRange(1...), defaultText: "1000, or all the test images when fewer",
        help: "test images attacked")
    static let norm = CommandOption<PerturbationNorm>(
        "norm", kind: .choice(["inf", "2"]), placeholder: "inf|2", default: .linf, defaultText: "inf",
        help: "the threat's norm: L-inf or L2 (both sides run their components in it)",
        convert: AttackCommand.Options.norm.convert)
    /// `--eps` when absent: the L-inf radius, and with `--norm 2` the L2 radius: 1.5, the radius of the README's
    /// L2 Square example (an L-inf ball of 0.1 reaches 2.8 in L2 on 784 pixels; `attack`'s L2 default is 1.0).
    static let linfRadius = 0.1
    static let l2Radius = 1.5
    /// `--eps` for a norm: L-inf radii lie in (0, 1], L2 radii in (0, sqrt(pixels)] (`L2RadiusLimit`), as
    /// `attack` takes them.
    static func eps(for norm: PerturbationNorm) -> CommandOption<Double> {
        CommandOption<Double>.number(
            "eps", "E", default: norm == .linf ? linfRadius : l2Radius,
            in: 0...(norm == .linf ? 1 : L2RadiusLimit.parserBound),
            excludingLower: true, upperText: norm == .linf ? nil : L2RadiusLimit.upperText,
            defaultText: "\(linfRadius); with --norm 2, \(l2Radius)",
            help: "radius: L-inf in (0, 1], L2 in (0, sqrt(H x W)] (28 for 28x28 images)")
    }
    static let steps = CommandOption<Int>.integer(
        "steps", default: 100, in: IntegerRange(1...10_000),
        help: "iterations of APGD-CE, APGD-T and FAB-T on both sides (torchattacks' AutoAttack fixes 10)")
    static let queries = CommandOption<Int>.integer(
        "queries", default: 5000, in: IntegerRange(3...1_000_000), help: "Square's budget per image on both sides")
    static let batch = CommandOption<Int>.integer(
        "batch", "B", default: nil, in: IntegerRange(1...100_000), defaultText: "mlp 2000, cnn 500",
        help: "images per Manifold attack batch")

    static let declaration = CommandDeclaration(
        name: "bench autoattack", summary: "AutoAttack against torchattacks on the same weights",
        about: """
            Manifold's AutoAttack (APGD-CE, APGD-T, FAB-T, Square; L-inf, or L2 with --norm 2) and torchattacks
            3.5.1's components run the same way (norm="Linf" or "L2"), on a classifier run's first test images:
            robust accuracy after each component, the worst case, and seconds, alternating rounds, best of each.
            Needs a python with torch and torchattacks (pip install --no-deps torchattacks) for the PyTorch
            side.
            """,
        options: [
            SharedOptions.run.withHelp("a classifier run (mlp or cnn)").declaration, count.declaration,
            norm.declaration, eps(for: .l2).declaration, steps.declaration, queries.declaration,
            BenchCommand.Options.rounds.declaration, batch.declaration, BenchCommand.Options.python.declaration,
            BenchCommand.Options.noTorch.declaration,
            SharedOptions.json.declaration, SharedOptions.threads.declaration,
        ], required: ["run"])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        let threatNorm = try parsed.value(norm)
        let epsilon = Float(try parsed.value(eps(for: threatNorm)))
        guard let runName = try parsed.given(SharedOptions.run) else {
            throw UsageError("'bench autoattack' needs '--run RUN' (a classifier run)")
        }
        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        let testSet = try loaded.testSet(override: nil, seed: 0)
        let dataset = testSet.dataset
        if threatNorm == .l2 {
            try L2RadiusLimit.check(Double(epsilon), option: "eps", text: parsed.values["eps"], dataset: dataset)
        }
        let n = try parsed.value(count, default: min(1000, dataset.testCount))
        try testSet.checkCount(n)
        guard dataset.classCount >= DLRLoss.minimumTargetedClasses else {
            throw UsageError(
                "'bench autoattack': the DLR loss of APGD-T needs at least \(DLRLoss.minimumTargetedClasses) classes; "
                    + "'\(dataset.name)' has \(dataset.classCount)")
        }
        let model = loaded.model
        try NonFiniteOutputs.check(model, dataset: dataset, count: n, run: loaded.run)
        let rounds = try parsed.value(BenchCommand.Options.rounds)
        let benchmark = AutoAttackBenchmark(
            model: model, dataset: dataset, count: n, norm: threatNorm, epsilon: epsilon,
            steps: try parsed.value(steps), queries: try parsed.value(queries),
            batchSize: try parsed.value(batch, default: model.kind == .mlp ? 2000 : 500),
            weightsFile: loaded.run.file("model.safetensors"), attacker: BenchAttackCommand.attackTestImages)
        let python = try BenchCommand.referencePython(parsed)
        let report = try benchmark.run(rounds: rounds, python: python)
        print(
            parsed.has(SharedOptions.json)
                ? json(report, benchmark: benchmark, rounds: rounds)
                : text(report, benchmark: benchmark, rounds: rounds))
        return 0
    }

    static func json(_ report: AutoAttackBenchmark.Report, benchmark: AutoAttackBenchmark, rounds: Int) -> String {
        func side(_ side: AutoAttackBenchmark.Side) -> JSONValue {
            .object([
                "seconds": .number(side.seconds), "robust_accuracy": .number(side.robustAccuracy),
                "components": .array(
                    side.components.map {
                        .object(["attack": .string($0.name), "robust_accuracy": .number($0.robustAccuracy)])
                    }),
            ])
        }
        var object: [String: JSONValue] = [
            "n": .integer(benchmark.count), "norm": .string(benchmark.norm == .l2 ? "2" : "inf"),
            "eps": .decimal(benchmark.epsilon),
            "steps": .integer(benchmark.steps),
            "queries": .integer(benchmark.queries), "rounds": .integer(rounds),
            "threads": .integer(ComputeThreads.count),
            "clean_accuracy": .number(report.cleanAccuracy), "manifold": side(report.manifold),
        ]
        if let torch = report.torch {
            object["torchattacks"] = side(torch)
            object["accuracy_gap"] = .number(report.manifold.robustAccuracy - torch.robustAccuracy)
            object["time_ratio"] = .number(torch.seconds / report.manifold.seconds)
        }
        if let note = report.torchNote { object["torch_note"] = .string(note) }
        return JSONValue.object(object).serialized()
    }

    static func text(_ report: AutoAttackBenchmark.Report, benchmark: AutoAttackBenchmark, rounds: Int) -> String {
        var lines = [
            String(
                format:
                    "AutoAttack (%@ eps %g, %@, Square %@) on %d %@ test images, clean %.4f; %d threads, best of %@",
                benchmark.norm == .l2 ? "L2" : "L-inf", benchmark.epsilon, counted(benchmark.steps, "iteration"),
                counted(benchmark.queries, "query", plural: "queries"),
                benchmark.count, benchmark.dataset.name,
                report.cleanAccuracy, ComputeThreads.count, counted(rounds, "alternating round")),
            "component   manifold   torchattacks   (robust accuracy after it)",
        ]
        for (index, component) in report.manifold.components.enumerated() {
            let theirs = report.torch.flatMap {
                index < $0.components.count ? $0.components[index].robustAccuracy : nil
            }
            lines.append(
                component.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: "  %8.4f   ", component.robustAccuracy)
                    + (theirs.map { String(format: "%12.4f", $0) } ?? "           -"))
        }
        lines.append(
            String(format: "worst case  %8.4f   ", report.manifold.robustAccuracy)
                + (report.torch.map { String(format: "%12.4f", $0.robustAccuracy) } ?? "           -"))
        lines.append(
            String(format: "seconds     %8.2f   ", report.manifold.seconds)
                + (report.torch.map { String(format: "%12.2f", $0.seconds) } ?? "           -"))
        if let torch = report.torch {
            let gap = report.manifold.robustAccuracy - torch.robustAccuracy
            lines.append(
                String(
                    format:
                        "manifold - torchattacks: %+.4f robust accuracy (target <= +0.005: %@); torchattacks/manifold time %.2fx (target > 1: %@)",
                    gap, TargetVerdict.text(gap, atMost: 0.005), torch.seconds / report.manifold.seconds,
                    torch.seconds > report.manifold.seconds ? "met" : "missed"))
        }
        if let note = report.torchNote { lines.append("torchattacks: \(note)") }
        return lines.joined(separator: "\n")
    }
}
