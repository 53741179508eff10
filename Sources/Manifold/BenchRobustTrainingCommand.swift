import Base
import Bench
import Datasets
import Engine
import Foundation
import TensorCore

/// `manifold bench robust-training`: each adversarial-training recipe over seeds, in Manifold and in PyTorch
/// (`Bench.RobustTrainingStudy`): AutoAttack robust accuracy, clean accuracy and training seconds per seed,
/// each side's distribution, the Mann-Whitney p-value of the robust accuracies and the time ratio
/// (Manifold / PyTorch). The issue's targets per recipe: p > 0.01 and a time ratio of at most 1. The data
/// are loaded once with the first seed, so only initialisation, batch order and the attacks' draws vary.
enum BenchRobustTrainingCommand {
    typealias Recipe = RobustTrainingStudy.Recipe

    static let recipes = CommandOption<[Recipe]>(
        "recipes", kind: .list, placeholder: "R1,R2,..", default: Recipe.allCases, defaultText: "pgd,fgsm-rs,trades",
        help: "adversarial-training recipes, as train --adversarial: "
            + Recipe.allCases.map(\.rawValue).joined(separator: ", ")
    ) { text throws(UsageError) in
        var chosen: [Recipe] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = name.trimmingCharacters(in: .whitespaces)
            guard let recipe = Recipe(rawValue: word) else {
                throw UsageError(
                    "option '--recipes': unknown recipe '\(Sanitize.line(word, limit: 40))'"
                        + SpellingSuggestion.hint(for: word, among: Recipe.allCases.map(\.rawValue))
                        + " (known: \(Recipe.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            // A recipe listed twice would be trained twice into one row (as `bench guidance` refuses a guide twice).
            guard !chosen.contains(recipe) else {
                throw UsageError("option '--recipes' lists '\(recipe.rawValue)' twice")
            }
            chosen.append(recipe)
        }
        return chosen
    }
    static let seeds = CommandOption<Int>.integer(
        "seeds", default: 10, in: IntegerRange(2...1000), help: "training seeds per side and recipe (at least 2)")
    static let firstSeed = CommandOption<UInt64>.seed("first-seed", default: 0, help: "the first seed")
    static let epochs = CommandOption<Int>.integer(
        "epochs", default: 5, in: IntegerRange(1...1000), help: "training epochs per seed")
    static let eps = CommandOption<Double>.number(
        "eps", "E", default: 0.1, in: 0...1, excludingLower: true,
        help: "L-inf radius of training and AutoAttack, in (0, 1]")
    static let count = CommandOption<Int>.integer(
        "n", default: nil, in: IntegerRange(1...), defaultText: "1000, or all the test images when fewer",
        help: "test images attacked (the first ones)")
    static let steps = CommandOption<Int>.integer(
        "steps", default: 100, in: IntegerRange(1...10_000),
        help: "iterations of APGD-CE, APGD-T and FAB-T on both sides")
    static let queries = CommandOption<Int>.integer(
        "queries", default: 5000, in: IntegerRange(3...1_000_000), help: "Square's budget per image on both sides")

    static let declaration = CommandDeclaration(
        name: "bench robust-training", summary: "adversarial training over seeds, against PyTorch",
        about: """
            Each adversarial-training recipe (pgd, fgsm-rs, trades) over seeds on both sides: an MLP trained as
            train mlp --adversarial RECIPE --eps E --seed S trains it, timed, then AutoAttack (standard, L-inf)
            on the first test images; the same recipes in PyTorch on the same data, evaluated with torchattacks
            3.5.1's components chained as bench autoattack chains them. Prints per recipe each side's robust
            accuracy mean +- sd (min - max), clean accuracy and training seconds, the Mann-Whitney p-value of
            the robust accuracies and Manifold's training time over PyTorch's (targets: p > 0.01, ratio <= 1).
            Needs a python with torch and torchattacks for the PyTorch side. The data are loaded once with the
            first seed.
            """,
        options: [
            SharedOptions.data.withHelp(
                "as for train (--data fashion for the issue's figures): " + SharedOptions.data.declaration.help
            ).declaration, recipes.declaration, seeds.declaration, firstSeed.declaration, epochs.declaration,
            eps.declaration, count.declaration, steps.declaration, queries.declaration,
            SharedOptions.trainLimit.declaration, BenchCommand.Options.python.declaration,
            BenchCommand.Options.noTorch.declaration, SharedOptions.threads.declaration,
            SharedOptions.json.declaration, SharedOptions.quiet.declaration,
        ])

    /// One recipe's figures on both sides.
    struct Row {
        let recipe: Recipe
        let manifold: [RobustTrainingStudy.SeedResult]
        let torch: [RobustTrainingStudy.SeedResult]?

        var pValue: Double? {
            torch.map { SampleComparison(manifold.map(\.robustAccuracy), $0.map(\.robustAccuracy)).pValue }
        }
        /// Mean Manifold training seconds over mean PyTorch training seconds.
        var timeRatio: Double? {
            torch.map { mean(manifold.map(\.trainSeconds)) / mean($0.map(\.trainSeconds)) }
        }
    }

    static func mean(_ values: [Double]) -> Double { SampleSummary(values).mean }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        let chosen = try parsed.value(recipes)
        let seedCount = try parsed.value(seeds)
        let firstSeed = try parsed.value(Self.firstSeed)
        guard firstSeed <= UInt64.max - UInt64(seedCount - 1) else {
            throw UsageError("option '--first-seed' is too large for \(seedCount) seeds")
        }
        let epochs = try parsed.value(Self.epochs)
        let epsilon = Float(try parsed.value(eps))
        let steps = try parsed.value(Self.steps)
        let queries = try parsed.value(Self.queries)
        let givenCount = try parsed.given(count)
        let limits = try DataLimits(parsed)
        let python = try BenchCommand.referencePython(parsed)
        let dataset = limits.apply(to: try DatasetLoader.load(try parsed.value(SharedOptions.data), seed: firstSeed))
        let n = givenCount ?? min(1000, dataset.testCount)
        try CommandOption<Int>.check(n, in: IntegerRange(1...dataset.testCount), name: count.name)
        let seedList = (0..<UInt64(seedCount)).map { firstSeed + $0 }
        let study = RobustTrainingStudy(
            dataset: dataset, epochs: epochs, epsilon: epsilon, count: n, steps: steps, queries: queries,
            attacker: BenchAttackCommand.attackTestImages)

        let progress = ProgressReporter(
            label: "robust-training \(dataset.name)", quiet: parsed.has(SharedOptions.quiet))
        var ours: [Recipe: [RobustTrainingStudy.SeedResult]] = [:]
        for recipe in chosen {
            for seed in seedList {
                let result = try study.manifold(recipe: recipe, seed: seed) {
                    progress.update(done: $0, total: $1, detail: $2)
                }
                ours[recipe, default: []].append(result)
                progress.log("manifold " + line(recipe: recipe, seed: seed, result))
            }
        }
        var torch: [Recipe: [RobustTrainingStudy.SeedResult]]? = nil
        var note: String? = python == nil ? "skipped (--no-torch)" : nil
        if let python {
            progress.log("pytorch: training \(chosen.count) recipes x \(seedCount) seeds in one child process")
            switch study.torch(recipes: chosen, seeds: seedList, python: python) {
            case .success(let values):
                torch = values
                for recipe in chosen {
                    for (seed, result) in zip(seedList, values[recipe] ?? []) {
                        progress.log("pytorch  " + line(recipe: recipe, seed: seed, result))
                    }
                }
            case .failure(let failure): note = failure.description
            }
        }
        let rows = chosen.map { Row(recipe: $0, manifold: ours[$0] ?? [], torch: torch?[$0]) }
        let context = Context(cpu: ModelsBenchmark.cpuDescription(), seeds: seedList, study: study)
        print(parsed.has(SharedOptions.json) ? json(rows, context, note: note) : text(rows, context, note: note))
        return 0
    }

    /// What the report names besides the study's own settings.
    struct Context {
        let cpu: String
        let seeds: [UInt64]
        let study: RobustTrainingStudy
    }

    static func line(recipe: Recipe, seed: UInt64, _ result: RobustTrainingStudy.SeedResult) -> String {
        String(
            format: "%@ seed %llu: robust %.4f  clean %.4f  training %.2f s", recipe.rawValue, seed,
            result.robustAccuracy, result.cleanAccuracy, result.trainSeconds)
    }

    static func text(_ rows: [Row], _ context: Context, note: String?) -> String {
        let dataset = context.study.dataset
        var lines = [
            "robust training: mlp \(dataset.pixelCount)-256-256-\(dataset.classCount), Adam, batch \(context.study.batchSize), \(counted(context.study.epochs, "epoch")), eps \(context.study.epsilon), \(dataset.name) (\(dataset.trainCount) train images), seeds \(context.seeds.first!)-\(context.seeds.last!)",
            "AutoAttack standard L-inf (\(counted(context.study.steps, "iteration")), Square \(counted(context.study.queries, "query", plural: "queries"))) on the first \(context.study.count) test images; \(context.cpu), \(ComputeThreads.count) threads",
            "recipe    side      robust: mean +- sd   (min - max)        clean mean   training s/seed",
        ]
        func side(_ name: String, _ results: [RobustTrainingStudy.SeedResult]) -> String {
            let robust = SampleSummary(results.map(\.robustAccuracy))
            return name.padding(toLength: 8, withPad: " ", startingAt: 0)
                + String(
                    format: "  %.4f +- %.4f  (%.4f - %.4f)  %10.4f   %14.2f", robust.mean, robust.standardDeviation,
                    robust.minimum, robust.maximum, mean(results.map(\.cleanAccuracy)),
                    mean(results.map(\.trainSeconds)))
        }
        for row in rows {
            lines.append(
                row.recipe.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + side("manifold", row.manifold))
            if let torch = row.torch {
                lines.append(String(repeating: " ", count: 10) + side("pytorch", torch))
                if let p = row.pValue, let ratio = row.timeRatio {
                    lines.append(
                        String(repeating: " ", count: 10)
                            + String(
                                format:
                                    "Mann-Whitney p %.3f (target > 0.01: %@); training time manifold/pytorch %.2f (target <= 1: %@)",
                                p, p > 0.01 ? "met" : "missed", ratio, ratio <= 1 ? "met" : "missed"))
                }
            }
        }
        if let note { lines.append("pytorch: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func json(_ rows: [Row], _ context: Context, note: String?) -> String {
        func side(_ results: [RobustTrainingStudy.SeedResult]) -> JSONValue {
            .object([
                "robust_accuracy": .array(results.map { .number($0.robustAccuracy) }),
                "clean_accuracy": .array(results.map { .number($0.cleanAccuracy) }),
                "train_seconds": .array(results.map { .number($0.trainSeconds) }),
            ])
        }
        let items: [JSONValue] = rows.map { row in
            var object: [String: JSONValue] = [
                "recipe": .string(row.recipe.rawValue), "manifold": side(row.manifold),
                "learning_rate": .number(context.study.learningRate(row.recipe)),
            ]
            if let torch = row.torch, let p = row.pValue, let ratio = row.timeRatio {
                object["pytorch"] = side(torch)
                object["mann_whitney_p"] = .number(p)
                object["time_ratio"] = .number(ratio)
                object["distribution_target_met"] = .bool(p > 0.01)
                object["time_target_met"] = .bool(ratio <= 1)
            }
            return .object(object)
        }
        var object: [String: JSONValue] = [
            "cpu": .string(context.cpu), "threads": .integer(ComputeThreads.count),
            "eps": .number(Double("\(context.study.epsilon)") ?? Double(context.study.epsilon)),
            "n": .integer(context.study.count),
            "steps": .integer(context.study.steps), "queries": .integer(context.study.queries),
            "epochs": .integer(context.study.epochs),
            "data": .string(context.study.dataset.name), "train_images": .integer(context.study.dataset.trainCount),
            "seeds": .array(context.seeds.map { .integer(Int(clamping: $0)) }), "recipes": .array(items),
        ]
        if let note { object["note"] = .string(note) }
        return JSONValue.object(object).serialized()
    }
}
