import Base
import Engine
import Foundation
import Models

/// `manifold bench guidance --run COND_RUN --classifier SCORER [--ddpm RUN --guide CLF,...]`: class accuracy,
/// classifier-feature Frechet distances (overall and per class) and classes covered over the strength of
/// classifier-free guidance (Ho & Salimans 2021) and of classifier guidance (Dhariwal & Nichol 2021), one
/// row per strength, scored by a separate classifier run (`GuidanceBenchmark`).
enum BenchGuidanceCommand {
    static let conditional = CommandOption<String>.string(
        "run", "COND_RUN",
        help:
            "a class-conditional ddpm run (train ddpm --net unet --conditional): classifier-free guidance over --weights"
    )
    static let classifier = CommandOption<String>.string(
        "classifier", "RUN",
        help: "the separate scoring classifier: a saved mlp/cnn run of the runs' image size and classes")
    static let weights = CommandOption<Double>.numbers(
        "weights", "W1,W2,..", in: 0...100,
        help:
            "classifier-free guidance strengths w, eps = (1 + w) eps(x, t, k) - w eps(x, t, none) (default 0,0.5,1,2,4)"
    )
    static let ddpm = CommandOption<String>.string(
        "ddpm", "RUN",
        help: "a ddpm run for classifier guidance (unconditional; a conditional one is sampled with its class at w = 0)"
    )
    static let guide = CommandOption<[String]>(
        "guide", kind: .string, placeholder: "RUN,RUN,...", default: nil,
        help: "with --ddpm: the guiding classifiers (mlp/cnn runs; standard, adversarially trained, --noise-aware)"
    ) { text throws(UsageError) in
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !names.contains(where: \.isEmpty) else {
            throw UsageError(
                "option '--guide' must be run names separated by commas, got '\(Sanitize.line(text, limit: 60))'")
        }
        return names
    }
    static let scales = CommandOption<Double>.numbers(
        "scales", "S1,S2,..", in: 0...1000, help: "with --ddpm: classifier guidance scales s (default 0,1,10)")
    static let count = CommandOption<Int>.integer(
        "n", default: 10, in: IntegerRange(1...10_000), help: "samples per class in every row")
    static let sampler = CommandOption<SamplingMethod>(
        "sampler", kind: .choice(["ddim", "ddpm"]), placeholder: "ddim|ddpm", default: .ddim, defaultText: "ddim",
        help: "ddim (--steps of the T, eta 0) or ddpm (all T steps); both clip the predicted x0"
    ) { text throws(UsageError) in
        guard let method = SamplingMethod(rawValue: text), method == .ddim || method == .ddpm else {
            throw UsageError(
                "option '--sampler' must be ddim or ddpm, got '\(Sanitize.line(text, limit: 40))'"
                    + SpellingSuggestion.hint(for: text, among: ["ddim", "ddpm"]))
        }
        return method
    }
    static let steps = CommandOption<Int>.integer(
        "steps", "S", default: 100, in: IntegerRange(1...1_000_000), help: "ddim steps (ddpm takes all T)")
    static let out = CommandOption<String>.folder(
        "out", help: "write one PNG grid per row, a row per class: cfg-w2.png, clf-NAME-s10.png")
    /// At least 2: a covariance of one image is nothing to compare against.
    static let testLimit = CommandOption<Int>.integer(
        "test-limit", default: 2000, in: IntegerRange(2...),
        help: "test images the Frechet distances compare against (the first ones)")

    static let declaration = CommandDeclaration(
        name: "bench guidance", summary: "class accuracy and FCD over the guidance strength",
        about: """
            For each w of --weights, classifier-free guidance (Ho & Salimans 2021) on --run; for each guide
            and s of --scales, classifier guidance (Dhariwal & Nichol 2021) on --ddpm: --n samples of every
            class (sample --class all) from the same --seed with the run's weight average, clipped x0. The
            separate --classifier scores each row: class accuracy (the share it assigns to the class asked
            for) overall and per class, the Frechet distance of its penultimate features against the
            first --test-limit test images (FCD) overall and per class (samples of class k
            against test images of class k; with few samples per class the covariance is rank-deficient,
            so per-class FCDs are comparable only with each other at the same --n), classes covered and
            seconds.
            """,
        options: [
            conditional.declaration, classifier.declaration, weights.declaration, ddpm.declaration, guide.declaration,
            scales.declaration, count.declaration, sampler.declaration, steps.declaration,
            SharedOptions.seed.declaration, testLimit.declaration, out.declaration, SharedOptions.json.declaration,
            SharedOptions.quiet.declaration, SharedOptions.threads.declaration,
        ], required: ["classifier"])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        try SharedOptions.applyThreads(parsed)
        guard let scorerName = try parsed.given(classifier) else {
            throw UsageError(
                "'bench guidance' needs '--classifier RUN': a separate mlp/cnn run that scores the samples")
        }
        let conditionalName = try parsed.given(conditional)
        let guidedName = try parsed.given(ddpm)
        let guideNames = try parsed.given(guide)
        guard conditionalName != nil || guidedName != nil else {
            throw UsageError(
                "'bench guidance' needs '--run COND_RUN' (classifier-free guidance) or '--ddpm RUN --guide CLF_RUN' (classifier guidance)"
            )
        }
        if parsed.isGiven(weights.name) && conditionalName == nil {
            throw UsageError("option '--weights' needs '--run COND_RUN': the run classifier-free guidance steers")
        }
        if guidedName != nil && guideNames == nil {
            throw UsageError("option '--ddpm' needs '--guide CLF_RUN[,CLF_RUN...]': the classifiers that guide it")
        }
        for option in [guide.name, scales.name] where parsed.isGiven(option) && guidedName == nil {
            throw UsageError("option '--\(option)' needs '--ddpm RUN': the run classifier guidance steers")
        }
        let method = try parsed.value(sampler)
        if method == .ddpm && parsed.isGiven(steps.name) {
            throw UsageError("'--sampler ddpm' takes all T steps of the schedule; use the default ddim for '--steps'")
        }
        let testImages = try parsed.value(testLimit)

        var benchmark = GuidanceBenchmark(scorer: try resolve(scorerName, option: "--classifier"))
        benchmark.conditionalRun = try conditionalName.map { try resolve($0, option: "--run") }
        benchmark.weights = try parsed.given(weights) ?? benchmark.weights
        benchmark.guidedRun = try guidedName.map { try resolve($0, option: "--ddpm") }
        benchmark.guides = try (guideNames ?? []).map { try resolve($0, option: "--guide") }
        // A guide listed twice (by any spelling of its run) would give the same rows twice and write its grids
        // twice over the same files, as a repeated weight or scale would.
        for (index, guide) in benchmark.guides.enumerated()
        where benchmark.guides[..<index].contains(where: { $0.name == guide.name }) {
            throw UsageError("option '--guide' lists '\(Sanitize.line(guide.name))' twice")
        }
        benchmark.scales = try parsed.given(scales) ?? benchmark.scales
        benchmark.countPerClass = try parsed.value(count)
        benchmark.method = method
        benchmark.steps = try parsed.value(steps)
        benchmark.seed = try parsed.value(SharedOptions.seed)
        benchmark.testLimit = testImages
        benchmark.outFolder = try parsed.given(out)
        if let folder = benchmark.outFolder {
            InterruptNote.set(
                "interrupted: the benchmark did not finish; any grid already in \(folder) is whole; no report was printed"
            )
        }

        let json = parsed.has(SharedOptions.json)
        let progress = ProgressReporter(label: "bench guidance", quiet: parsed.has(SharedOptions.quiet) || json)
        let cells = benchmark.plan
        let report: GuidanceBenchmark.Report
        do {
            let quiet = parsed.has(SharedOptions.quiet)
            report = try benchmark.run(note: { if !quiet { printError($0) } }) { row, total, sampler in
                let cell = cells[row]
                progress.update(
                    done: row * sampler.progress.total + sampler.progress.done, total: total * sampler.progress.total,
                    detail: label(cell))
            }
        } catch let error as SamplingRequestError {
            throw UsageError(error.description)
        } catch let error as OutputFolderCreationError {
            throw RuntimeError(
                "--out: cannot create '\(Sanitize.line(error.path))': "
                    + OutputFolderError.reason(creating: error.path, error: error.underlying))
        }
        if json {
            print(jsonReport(report, benchmark: benchmark).serialized())
        } else {
            printTable(report, benchmark: benchmark)
        }
        return 0
    }

    /// A run argument, a usage error naming `option` when it is not a valid run name.
    private static func resolve(_ text: String, option: String) throws -> RunDirectory {
        try RunDirectory.checkRoot()
        do {
            return try RunDirectory.resolve(text)
        } catch {
            throw UsageError("\(optionLabel(option)): \(error.description)")
        }
    }

    /// `w 2` or `NAME s 10`.
    private static func label(_ cell: GuidanceBenchmark.Cell) -> String {
        let strength = cell.strengthText
        switch cell.kind {
        case .classifierFree: return "w \(strength)"
        case .classifier: return "\(Sanitize.line(cell.guide?.name ?? "", limit: 30)) s \(strength)"
        }
    }

    /// Why no per-class FCD is computed at all (one sample per class), or nil.
    static func perClassNote(_ benchmark: GuidanceBenchmark) -> String? {
        guard benchmark.countPerClass < SampleScores.minimumFrechetRows else { return nil }
        return "the FCD of a class needs at least \(SampleScores.minimumFrechetRows) samples of it to estimate a "
            + "covariance; --n gives \(benchmark.countPerClass)"
    }

    static func jsonReport(_ report: GuidanceBenchmark.Report, benchmark: GuidanceBenchmark) -> JSONValue {
        func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
        var object: [String: JSONValue] = [
            "scorer": .string(benchmark.scorer.path), "n_per_class": .integer(benchmark.countPerClass),
            "steps": .integer(report.steps), "sampler": .string(benchmark.method.rawValue),
            "seed": .integer(Int(clamping: benchmark.seed)), "test_images": .integer(report.testImages),
            "rows": .array(
                report.rows.map { row in
                    .object([
                        "kind": .string(row.cell.kind.rawValue), "run": .string(row.cell.run.path),
                        "guide": row.cell.guide.map { .string($0.path) } ?? .null,
                        "strength": .number(row.cell.strength), "class_accuracy": .number(row.classAccuracy),
                        "class_accuracy_per_class": numbers(row.classAccuracyPerClass),
                        "fcd": .number(row.frechetDistance), "fcd_per_class": numbers(row.frechetDistancePerClass),
                        "classes_covered": .integer(row.classesCovered), "seconds": .number(row.seconds),
                        "weights": row.weights.map { .string($0) } ?? .null,
                        "grid": row.gridPath.map { .string($0) } ?? .null,
                    ])
                }),
        ]
        if let note = perClassNote(benchmark) { object["fcd_per_class_note"] = .string(note) }
        return .object(object)
    }

    static func printTable(_ report: GuidanceBenchmark.Report, benchmark: GuidanceBenchmark) {
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        func fixed(_ value: Double, _ format: String) -> String { value.isFinite ? String(format: format, value) : "-" }
        print(
            "\(counted(benchmark.countPerClass, "sample")) per class, \(benchmark.method.rawValue) \(counted(report.steps, "step")), seed "
                + "\(benchmark.seed); scored by \(Sanitize.line(benchmark.scorer.path)) against \(report.testImages) "
                + "test images")
        let runWidth = max(6, (report.rows.map { Sanitize.line($0.cell.run.name).count }.max() ?? 0) + 2)
        let guideWidth = max(7, (report.rows.map { Sanitize.line($0.cell.guide?.name ?? "-").count }.max() ?? 0) + 2)
        print(
            pad("kind", 17) + pad("run", runWidth) + pad("guide", guideWidth) + pad("strength", 10)
                + pad("class acc", 11) + pad("FCD", 10) + pad("covered", 9) + "seconds")
        for row in report.rows {
            print(
                pad(row.cell.kind.rawValue, 17) + pad(Sanitize.line(row.cell.run.name), runWidth)
                    + pad(Sanitize.line(row.cell.guide?.name ?? "-"), guideWidth)
                    + pad(row.cell.strengthText, 10) + pad(fixed(row.classAccuracy, "%.3f"), 11)
                    + pad(fixed(row.frechetDistance, "%.2f"), 10) + pad("\(row.classesCovered)", 9)
                    + String(format: "%.1f", row.seconds))
        }
        print("per class (class 0 first): class accuracy, then FCD (samples of class k vs test images of class k)")
        if let note = perClassNote(benchmark) { print("  no FCD per class ('-'): \(note)") }
        for row in report.rows {
            let name = "\(row.cell.kind == .classifierFree ? "cfg" : "clf") \(label(row.cell))"
            print(
                pad("  " + name, 24) + "acc "
                    + row.classAccuracyPerClass.map { fixed($0, "%.2f") }.joined(separator: " "))
            print(pad("", 24) + "FCD " + row.frechetDistancePerClass.map { fixed($0, "%.1f") }.joined(separator: " "))
        }
        if benchmark.outFolder != nil {
            print("grids: " + report.rows.compactMap { $0.gridPath.map { Sanitize.line($0) } }.joined(separator: ", "))
        }
    }
}
