import Base
import Bench
import Datasets
import Engine
import Foundation
import SafeTensors
import TensorCore

/// `manifold bench seeds`: how much the attack figures of a trained MLP move with the training seed
/// alone, in Manifold and in PyTorch, and whether the two differ.
///
/// For each seed both sides train the issue's recipe (784-256-256-10, PyTorch's default initialisation,
/// Adam, shuffled batches, the last one partial) on the same data and attack the whole test set with
/// the same formulas (`Bench.SeedStudy`); this file holds the options and the table. The table gives
/// each side's mean, standard deviation and range per figure, the difference of the means in standard
/// errors and the Mann-Whitney p-value. PyTorch runs in
/// one child `python` (`--python PATH`) with as many threads as Manifold. The data are loaded once with
/// the first seed, so only initialisation and batch order change between seeds.
enum BenchSeedsCommand {
    static let seeds = CommandOption<Int>.integer(
        "seeds", default: 10, in: IntegerRange(2...1000),
        help: "training seeds per side (at least 2: one seed has no spread)")
    static let firstSeed = CommandOption<UInt64>.seed("first-seed", default: 0, help: "the first seed")
    static let epochs = CommandOption<Int>.integer(
        "epochs", default: 5, in: IntegerRange(1...1000), help: "training epochs per seed")
    static let batch = CommandOption<Int>.integer(
        "batch", "B", default: 128, in: IntegerRange(1...65_536), help: "mini-batch size")
    static let learningRate = CommandOption<Double>.number(
        "lr", default: 1e-3, in: 0...10, excludingLower: true, help: "Adam learning rate")

    static let declaration = CommandDeclaration(
        name: "bench seeds", summary: "attack figures over training seeds, against PyTorch",
        about: """
            How far the attack figures of a trained MLP move with the training seed alone: for each seed
            trains train mlp's recipe and measures clean accuracy, FGSM eps 0.05/0.1/0.2, PGD and ILL
            (eps 0.1, alpha 0.01, 20 steps) on every test image; the same in PyTorch on the same data;
            prints each side's mean +- sd (min - max), the difference in standard errors and the
            Mann-Whitney p-value per figure (about 6 s a seed per side on Fashion-MNIST, 2 cores). The
            data are loaded once with the first seed, so only initialisation and order vary.
            """,
        options: [
            SharedOptions.data.withHelp(
                "as for train (--data fashion for the attack issue's figures): " + SharedOptions.data.declaration.help
            ).declaration, seeds.declaration, firstSeed.declaration, epochs.declaration, batch.declaration,
            learningRate.declaration, BenchCommand.Options.python.declaration,
            BenchCommand.Options.noTorch.declaration, SharedOptions.trainLimit.declaration,
            SharedOptions.testLimit.declaration, SharedOptions.threads.declaration, SharedOptions.json.declaration,
            SharedOptions.quiet.declaration,
        ])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        let seedCount = try parsed.value(seeds)
        let firstSeed = try parsed.value(Self.firstSeed)
        guard firstSeed <= UInt64.max - UInt64(seedCount - 1) else {
            throw UsageError("option '--first-seed' is too large for \(seedCount) seeds")
        }
        let epochs = try parsed.value(Self.epochs)
        let batch = try parsed.value(Self.batch)
        let learningRate = try parsed.value(Self.learningRate)
        let limits = try DataLimits(parsed)
        let dataSpec = try parsed.value(SharedOptions.data)
        let python = try BenchCommand.referencePython(parsed)
        let dataset = limits.apply(to: try DatasetLoader.load(dataSpec, seed: firstSeed))
        let seeds = (0..<UInt64(seedCount)).map { firstSeed + $0 }
        let study = SeedStudy(
            dataset: dataset, epochs: epochs, batchSize: batch, learningRate: learningRate,
            attacker: BenchAttackCommand.attackTestImages)

        let progress = ProgressReporter(label: "seeds \(dataset.name)", quiet: parsed.has(SharedOptions.quiet))
        var ours: [[String: Double]] = []
        for seed in seeds {
            let values = try study.figures(seed: seed) { progress.update(done: $0, total: $1, detail: $2) }
            ours.append(values)
            progress.log("manifold " + line(seed: seed, values))
        }
        var torch: [[String: Double]]? = nil
        var torchNote: String? = python == nil ? "skipped (--no-torch)" : nil
        if let python {
            progress.log("pytorch: training \(seedCount) seeds in one child process")
            switch study.torchFigures(seeds: seeds, python: python) {
            case .success(let values):
                torch = values
                for (seed, row) in zip(seeds, values) { progress.log("pytorch  " + line(seed: seed, row)) }
            case .failure(let failure): torchNote = failure.description
            }
        }
        let header =
            "seed study: mlp \(dataset.pixelCount)-256-256-\(dataset.classCount), Adam lr \(learningRate), batch \(batch), \(counted(epochs, "epoch")), \(dataset.name) (\(dataset.trainCount) train / \(dataset.testCount) test images), seeds \(seeds.first!)-\(seeds.last!), \(ComputeThreads.count) threads"
        if parsed.has(SharedOptions.json) {
            print(json(ours: ours, torch: torch, seeds: seeds, header: header, torchNote: torchNote))
        } else {
            print(text(ours: ours, torch: torch, header: header, torchNote: torchNote))
        }
        return 0
    }

    static func line(seed: UInt64, _ values: [String: Double]) -> String {
        "seed \(seed): "
            + SeedStudy.figures.map { "\($0.key) " + String(format: "%.4f", values[$0.key] ?? .nan) }
            .joined(separator: "  ")
    }

    static func column(_ rows: [[String: Double]], _ key: String) -> [Double] {
        rows.map { $0[key] ?? .nan }
    }

    static func text(ours: [[String: Double]], torch: [[String: Double]]?, header: String, torchNote: String?)
        -> String
    {
        var lines = [
            header, SeedStudy.attacksDescription,
            "figure                  manifold: mean +- sd   (min - max)       "
                + (torch == nil ? "" : "pytorch: mean +- sd    (min - max)        diff/s.e.  Mann-Whitney p"),
        ]
        func summary(_ values: [Double]) -> String {
            let s = SampleSummary(values)
            return String(format: "%.4f +- %.4f  (%.4f - %.4f)", s.mean, s.standardDeviation, s.minimum, s.maximum)
        }
        for figure in SeedStudy.figures {
            let a = column(ours, figure.key)
            var row = figure.label.padding(toLength: 24, withPad: " ", startingAt: 0) + summary(a)
            if let torch {
                let b = column(torch, figure.key)
                let comparison = SampleComparison(a, b)
                row +=
                    "  " + summary(b) + "  "
                    + (comparison.standardErrors.map { String(format: "%9.2f", $0) } ?? "        -")
                    + String(format: "  %14.3f", comparison.pValue)
            }
            lines.append(row)
        }
        if let torchNote { lines.append("pytorch: \(torchNote)") }
        return lines.joined(separator: "\n")
    }

    static func json(
        ours: [[String: Double]], torch: [[String: Double]]?, seeds: [UInt64], header: String, torchNote: String?
    ) -> String {
        func perSeed(_ rows: [[String: Double]]) -> JSONValue {
            .array(
                zip(seeds, rows).map { seed, row in
                    var object: [String: JSONValue] = ["seed": .integer(Int(clamping: seed))]
                    for figure in SeedStudy.figures { object[figure.key] = .number(row[figure.key] ?? .nan) }
                    return .object(object)
                })
        }
        func summary(_ values: [Double]) -> JSONValue {
            let s = SampleSummary(values)
            return .object([
                "mean": .number(s.mean), "sd": .number(s.standardDeviation), "min": .number(s.minimum),
                "max": .number(s.maximum),
            ])
        }
        var figures: [JSONValue] = []
        for figure in SeedStudy.figures {
            let a = column(ours, figure.key)
            var object: [String: JSONValue] = ["figure": .string(figure.key), "manifold": summary(a)]
            if let torch {
                let b = column(torch, figure.key)
                let comparison = SampleComparison(a, b)
                object["pytorch"] = summary(b)
                object["difference"] = .number(comparison.difference)
                object["standard_errors"] = comparison.standardErrors.map(JSONValue.number) ?? .null
                object["mann_whitney_p"] = .number(comparison.pValue)
            }
            figures.append(.object(object))
        }
        var object: [String: JSONValue] = [
            "seed_study": .string(header), "threads": .integer(ComputeThreads.count), "figures": .array(figures),
            "manifold_seeds": perSeed(ours),
        ]
        if let torch { object["pytorch_seeds"] = perSeed(torch) }
        if let torchNote { object["torch_note"] = .string(torchNote) }
        return JSONValue.object(object).serialized()
    }
}
