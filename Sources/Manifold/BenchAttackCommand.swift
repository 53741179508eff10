import Attacks
import Base
import Bench
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold bench attack --run RUN`: the options and the table of `AttackBenchmark` (FGSM, PGD and
/// iterative least-likely timed in Manifold, through autograd and in PyTorch, in alternating rounds).
enum BenchAttackCommand {
    typealias Row = AttackBenchmark.Row

    static var methods: [AttackBenchmark.Method] { AttackBenchmark.methods }

    static let count = CommandOption<Int>.integer(
        "n", default: nil, in: IntegerRange(1...), defaultText: "the test images, at most 10000",
        help: "test images attacked")
    static let batch = CommandOption<Int>.integer(
        "batch", "B", default: 2000, in: IntegerRange(1...100_000), help: "images per attack batch")

    static let declaration = CommandDeclaration(
        name: "bench attack", summary: "attack seconds against autograd and PyTorch",
        about: """
            Seconds of fgsm, pgd and ill (eps 0.1, alpha 0.01, 20 steps) on an MLP run's test images, next to
            the same attacks through autograd and in PyTorch (same weights and formulas), alternating rounds,
            best of each.
            """,
        options: [
            SharedOptions.run.withHelp("an mlp run").declaration, count.declaration,
            BenchCommand.Options.rounds.declaration, batch.declaration, BenchCommand.Options.python.declaration,
            BenchCommand.Options.noTorch.declaration, SharedOptions.json.declaration,
            SharedOptions.threads.declaration,
        ], required: ["run"])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        guard let runName = try parsed.given(SharedOptions.run) else {
            throw UsageError("'bench attack' needs '--run RUN' (an mlp run)")
        }
        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        guard loaded.model.kind == .mlp else {
            throw UsageError("'bench attack' compares MLP runs with PyTorch; '\(Sanitize.line(runName))' is a cnn")
        }
        let testSet = try loaded.testSet(override: nil, seed: 0)
        let dataset = testSet.dataset
        let count = try parsed.value(Self.count, default: min(10_000, dataset.testCount))
        try testSet.checkCount(count)
        let rounds = try parsed.value(BenchCommand.Options.rounds)
        let batchSize = try parsed.value(batch)
        let model = loaded.model
        try NonFiniteOutputs.check(model, dataset: dataset, count: count, run: loaded.run)

        let benchmark = AttackBenchmark(
            model: model, dataset: dataset, count: count, batchSize: batchSize,
            weightsFile: loaded.run.file("model.safetensors"), attacker: attackTestImages)
        let python = try BenchCommand.referencePython(parsed)
        let report = try benchmark.run(rounds: rounds, python: python)
        let (rows, torchNote) = (report.rows, report.torchNote)
        print(
            parsed.has(SharedOptions.json)
                ? json(rows, count: count, rounds: rounds, batch: batchSize, torchNote: torchNote)
                : text(
                    rows, count: count, rounds: rounds, batch: batchSize, dataset: dataset.name, torchNote: torchNote))
        return 0
    }

    /// How the benchmarks attack a test set: `TestSetAttack.run` without progress.
    static func attackTestImages(
        _ attack: any Attack, method: String, model: Classifier, dataset: Dataset, count: Int, batchSize: Int,
        threat: ThreatModel
    ) throws -> AttackResult {
        try TestSetAttack.run(
            attack, method: method, model: model, dataset: dataset, count: count, batchSize: batchSize, threat: threat)
    }

    static func json(_ rows: [Row], count: Int, rounds: Int, batch: Int, torchNote: String?) -> String {
        var items: [JSONValue] = []
        for (method, row) in zip(methods, rows) {
            var object: [String: JSONValue] = [
                "attack": .string(method.name), "n": .integer(count), "seconds": .number(row.seconds),
                "adversarial_accuracy": .number(row.accuracy), "autograd_seconds": .number(row.autogradSeconds),
                "autograd_adversarial_accuracy": .number(row.autogradAccuracy), "cpu_seconds": .number(row.cpuSeconds),
                "autograd_cpu_seconds": .number(row.autogradCPUSeconds),
            ]
            if let torch = row.torchSeconds, let accuracy = row.torchAccuracy {
                object["torch_seconds"] = .number(torch)
                object["torch_adversarial_accuracy"] = .number(accuracy)
                object["ratio"] = .number(torch / row.seconds)
            }
            items.append(.object(object))
        }
        var object: [String: JSONValue] = [
            "attack_bench": .array(items), "threads": .integer(ComputeThreads.count), "rounds": .integer(rounds),
            "batch": .integer(batch),
        ]
        if let torchNote { object["torch_note"] = .string(torchNote) }
        return JSONValue.object(object).serialized()
    }

    static func text(_ rows: [Row], count: Int, rounds: Int, batch: Int, dataset: String, torchNote: String?) -> String
    {
        var lines = [
            "attacks on \(count) \(dataset) test images, batch \(batch), \(ComputeThreads.count) threads, best of \(counted(rounds, "alternating round"))",
            "attack   manifold s (cpu)  autograd s (cpu)  pytorch s  pytorch/manifold  robust accuracy (manifold / autograd / pytorch)",
        ]
        for (method, row) in zip(methods, rows) {
            let torch = row.torchSeconds.map { String(format: "%9.3f", $0) } ?? "        -"
            let ratio = row.torchSeconds.map { String(format: "%8.2fx", $0 / row.seconds) } ?? "        -"
            let torchAccuracy = row.torchAccuracy.map { String(format: "%.4f", $0) } ?? "-"
            lines.append(
                method.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(
                        format: " %7.3f (%5.2f)  %7.3f (%5.2f)  ", row.seconds, row.cpuSeconds, row.autogradSeconds,
                        row.autogradCPUSeconds) + torch + "         " + ratio
                    + String(format: "  %.4f / %.4f / ", row.accuracy, row.autogradAccuracy) + torchAccuracy)
        }
        if let torchNote { lines.append("pytorch: \(torchNote)") }
        return lines.joined(separator: "\n")
    }
}
