import Attacks
import Base
import Engine
import Foundation
import Models
import TensorCore

/// `manifold bench purify --classifier RUN --ddpm RUN --dae RUN --vae RUN`: a classifier alone and behind
/// DiffPure, Langevin and Defense-GAN purifiers under no attack, naive, BPDA, BPDA + EOT and full-gradient
/// PGD (`PurificationBenchmark`), with seconds per row; the strongest attack's figure per purifier marked.
enum BenchPurifyCommand {
    static let classifier = CommandOption<String>.string("classifier", "RUN", help: "the classifier run defended")
    static let ddpm = CommandOption<String>.string(
        "ddpm", "RUN", help: "an unconditional DDPM run: DiffPure, t* then DDIM steps back")
    static let dae = CommandOption<String>.string("dae", "RUN", help: "a DAE run: annealed Langevin purification")
    static let vae = CommandOption<String>.string(
        "vae", "RUN", help: "a VAE (or AE) run: the Defense-GAN projection onto the decoder's range")
    static let count = CommandOption<Int>.integer(
        "n", default: 100, in: IntegerRange(1...), help: "test images attacked (the first N)")
    static let eps = CommandOption<Double>.number(
        "eps", "E", default: 0.1, in: 0...1, excludingLower: true, help: "L-inf PGD radius")
    static let steps = CommandOption<Int>.integer(
        "steps", default: 10, in: IntegerRange(1...10_000), help: "PGD steps (step 2.5 eps / steps, random start)")
    static let eot = CommandOption<Int>.integer(
        "eot", default: 4, in: IntegerRange(2...1000), help: "bpda-eot: gradients averaged per step")
    static let reverseSteps = PurifierOptions.reverseSteps.withDefault(5).withHelp(
        "ddpm purifier: DDIM steps from t* back to 0")

    static let declaration = CommandDeclaration(
        name: "bench purify", summary: "purification defences under naive and adaptive attacks",
        about: """
            The classifier's robust accuracy alone and behind each purifier given (--ddpm: DiffPure with t*
            and DDIM steps back; --dae: annealed Langevin at the DAE's 3 lowest levels, 10 steps each; --vae:
            the Defense-GAN projection, 50 Adam steps, 4 restarts) under L-inf PGD used four ways: naive
            (aimed at the classifier alone), BPDA (identity backward through the purifier), BPDA + EOT
            (gradients averaged over --eot draws) and full (autograd through the purifier), with the
            purifier's randomness fresh at evaluation, and BPDA and full again with it fixed. Marks each
            purifier's strongest attack: its robust accuracy is the one to believe.
            """,
        options: [
            classifier.declaration, ddpm.declaration, dae.declaration, vae.declaration, count.declaration,
            eps.declaration, steps.declaration, eot.declaration, PurifierOptions.tStar.declaration,
            reverseSteps.declaration, SharedOptions.seed.declaration, SharedOptions.json.declaration,
            SharedOptions.quiet.declaration, SharedOptions.threads.declaration,
        ], required: ["classifier"])

    /// Refuses a run of another kind than `option` takes (`--dae` given a vae run), before the purifier's
    /// settings are checked against it; a missing or unreadable run is left to `loadPurifier`.
    static func checkKind(_ name: String, option: String, kinds: [String]) throws {
        let run = try resolveRunArgument(name, argument: option)
        guard run.exists, let model = try? run.readConfig()["model"]?.stringValue else { return }
        guard kinds.contains(model) else {
            let message = RunKindMismatch.message(
                run: run.name, model: model, isNot: "the purifier this option takes", kinds: kinds)
            throw UsageError("\(optionLabel(option)): \(message)")
        }
    }

    /// The bench's attack: L-inf PGD from a random start in `steps` steps of 2.5 eps / steps, as its help says
    /// (it stepped PGD's default eps / 10, moving at most `steps` / 10 eps: a weaker attack than documented).
    static func attack(epsilon: Float, steps: Int) -> PGD {
        PGD(steps: steps, stepSize: AdversarialExamples.pgdStepSize(epsilon: epsilon, steps: steps))
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        guard let classifierName = try parsed.given(classifier) else {
            throw UsageError("'bench purify' needs '--classifier RUN' (a classifier run)")
        }
        let loaded = try LoadedClassifierRun.load(classifierName, option: "--classifier")
        let model = loaded.model
        model.setTraining(false)
        var purifiers: [(name: String, purifier: any Purifier)] = []
        var purifierOptions: [String] = []  // the option that gave each purifier, for its error lines
        for (option, kinds) in [(ddpm, ["ddpm"]), (dae, ["dae"]), (vae, ["vae", "ae"])] {
            if let name = try parsed.given(option) { try checkKind(name, option: "--\(option.name)", kinds: kinds) }
        }
        if let name = try parsed.given(ddpm) {
            let settings = PurifierSettings(
                tStar: try parsed.given(PurifierOptions.tStar), reverse: "ddim",
                reverseSteps: try parsed.value(reverseSteps))
            purifiers.append((name, try DefendCommand.loadPurifier(name, option: "--ddpm", settings: settings)))
            purifierOptions.append("--ddpm")
        } else if parsed.isGiven(PurifierOptions.tStar.name) || parsed.isGiven(reverseSteps.name) {
            throw UsageError("'--t-star' and '--reverse-steps' need '--ddpm RUN'")
        }
        if let name = try parsed.given(dae) {
            purifiers.append(
                (name, try DefendCommand.loadPurifier(name, option: "--dae", settings: PurifierSettings())))
            purifierOptions.append("--dae")
        }
        if let name = try parsed.given(vae) {
            purifiers.append(
                (name, try DefendCommand.loadPurifier(name, option: "--vae", settings: PurifierSettings())))
            purifierOptions.append("--vae")
        }
        // The rows and the JSON name each purifier by its run's name, not by the path that may have named it.
        purifiers = purifiers.map { ((try? RunDirectory.resolve($0.name).name) ?? $0.name, $0.purifier) }
        guard !purifiers.isEmpty else {
            throw UsageError("'bench purify' needs at least one purifier: --ddpm RUN, --dae RUN or --vae RUN")
        }
        for ((name, purifier), option) in zip(purifiers, purifierOptions) {
            try DefendCommand.checkSizes(purifier, model: model, option: option, purifierRun: name)
            if let run = try? RunDirectory.resolve(name) {
                printDataDifferenceNote(
                    run, option: "the purifier", against: loaded.run,
                    role: "the classifier '\(Sanitize.line(loaded.run.name, limit: 80))'",
                    quiet: parsed.has(SharedOptions.quiet))
            }
        }
        let testSet = try loaded.testSet(override: nil, seed: 0)
        let dataset = testSet.dataset
        let n = try parsed.value(count)
        try testSet.checkCount(n)
        try NonFiniteOutputs.check(model, dataset: dataset, count: n, run: loaded.run)
        let (epsilon, pgdSteps) = (Float(try parsed.value(eps)), try parsed.value(steps))
        let benchmark = PurificationBenchmark(
            classifier: model, purifiers: purifiers, dataset: dataset, count: n, threat: ThreatModel(epsilon: epsilon),
            attack: attack(epsilon: epsilon, steps: pgdSteps),
            eotDraws: try parsed.value(eot), batchSize: n,
            seed: try parsed.value(SharedOptions.seed))
        let progress = ProgressReporter(label: "bench purify", quiet: parsed.has(SharedOptions.quiet))
        let start = Date()
        let rows = try benchmark.run { index, total, purifier, attack in
            progress.update(done: index, total: total, detail: "\(purifier): \(attack)")
        }
        let seconds = Date().timeIntervalSince(start)
        if parsed.has(SharedOptions.json) {
            let object: [String: JSONValue] = [
                "classifier": .string(loaded.run.name), "n": .integer(n), "eps": .decimal(epsilon),
                "pgd_steps": .integer(pgdSteps), "seconds": .number(seconds),
                "purifiers": .object(
                    Dictionary(uniqueKeysWithValues: purifiers.map { ($0.name, JSONValue.string($0.purifier.summary)) })
                ),
                "rows": .array(
                    rows.map { row in
                        .object([
                            "purifier": .string(row.purifier), "attack": .string(row.attack.rawValue),
                            // The undefended classifier has no purifier whose randomness is fresh or fixed.
                            "randomness": row.purifier == "none" ? .null : .string(row.randomness.rawValue),
                            "robust_accuracy": .number(row.robustAccuracy), "seconds": .number(row.seconds),
                            "strongest": .bool(row.isStrongest),
                        ])
                    }),
            ]
            print(JSONValue.object(object).serialized())
        } else {
            print(
                "\(loaded.run.name) on \(n) \(dataset.name) test images, L-inf PGD eps \(epsilon), \(counted(pgdSteps, "step"))"
                    + String(format: " (%.0f s in all)", seconds))
            for (name, purifier) in purifiers { print("  \(name): \(purifier.summary)") }
            func pad(_ text: String, _ w: Int) -> String { text.padding(toLength: w, withPad: " ", startingAt: 0) }
            let width = max(10, (purifiers.map(\.name.count).max() ?? 0) + 2)
            print(
                pad("purifier", width) + pad("attack", 10) + pad("randomness", 12) + pad("robust acc", 12) + "seconds")
            for row in rows {
                print(
                    pad(row.purifier, width) + pad(row.attack.rawValue, 10)
                        + pad(row.purifier == "none" ? "-" : row.randomness.rawValue, 12)
                        + pad(String(format: "%.4f", row.robustAccuracy) + (row.isStrongest ? " *" : ""), 12)
                        + String(format: "%.1f", row.seconds))
            }
            print(
                "* the strongest attack on that purifier with fresh draws (the defence as deployed): the figure to "
                    + "believe; fixed rows show what is left when the attacker knows the noise")
        }
        return 0
    }
}
