import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold attack pgd --target all`: a targeted run towards every class from the same test images, on
/// one classifier or on two side by side (`--compare RUN2`), drawn as a grid: perceptually aligned
/// gradients (Tsipras et al. 2019, "Robustness may be at odds with accuracy"; Santurkar et al. 2019,
/// "Image synthesis with a single (robust) classifier"). See `ClassTargetSweep`.
extension AttackCommand {
    /// Test images swept when `--n` is absent: ten rows of ten targets plus the clean column.
    static let sweepDefaultCount = 10

    /// The one-line refusals of `--target all`: a method that is not a targeted gradient attack, and
    /// options it would silently ignore.
    static func refuseInTargetSweep(_ parsed: ParsedArguments, method: String) throws {
        guard AttackTarget.sweepMethods.contains(method) else {
            throw UsageError(
                "'--target all' needs a targeted gradient attack (\(AttackTarget.sweepMethods.joined(separator: ", "))); "
                    + "\(method) is not one")
        }
        let ignored: [(option: String, reason: String)] = [
            (Options.sanityCount.name, "the sanity checks test untargeted robustness"),
            (Options.batch.name, "every run takes all the --n images in one batch"),
            (Options.restarts.name, "every run starts at the clean image"),
        ]
        for (option, reason) in ignored where parsed.isGiven(option) {
            throw UsageError("'--\(option)' does not apply to --target all: \(reason)")
        }
    }

    /// Runs the sweep on `--run` (and `--compare`), writes the grids into `--out`, prints the summary.
    static func runTargetSweep(
        _ parsed: ParsedArguments, method: String, runName: String, options: AttackOptions
    ) throws -> Int32 {
        let quiet = parsed.has(SharedOptions.quiet)
        if let out = options.out,
            let reason = OutputFolderError.folderInTheWay(of: AttackOutputFiles.sweepNames.sorted(), in: out)
        {
            throw UsageError("option '--out': \(reason)")
        }
        // Held to the end: released (its file removed) when this function returns or throws.
        let outLock = try options.out.map(AttackOutputLock.take)
        defer { outLock?.release() }
        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        let other = try parsed.given(Options.compare).map { try LoadedClassifierRun.load($0, option: "--compare") }
        // Only the universal perturbation learns from training images: the others read the test split alone.
        let testSet = try loaded.testSet(
            override: try parsed.given(Options.data), seed: options.seed, withTraining: method == "uap")
        let dataset = testSet.dataset
        if let other {
            let (a, b) = (loaded.model, other.model)
            guard a.imageHeight == b.imageHeight, a.imageWidth == b.imageWidth, a.classCount == b.classCount else {
                throw UsageError(
                    "'--compare' run '\(Sanitize.line(other.run.name))' takes \(b.imageHeight)x\(b.imageWidth) images "
                        + "in \(b.classCount) classes; '--run' takes \(a.imageHeight)x\(a.imageWidth) in \(a.classCount)"
                )
            }
        }
        if let other {
            printDataDifferenceNote(
                other.run, option: "'--compare'", against: loaded.run,
                role: "'--run' '\(Sanitize.line(loaded.run.name, limit: 80))'", quiet: quiet)
        }
        let count = try parsed.value(Options.count, default: min(sweepDefaultCount, dataset.testCount))
        guard count <= dataset.testCount else {
            throw UsageError(
                "'--n' asks for \(count) images but the test set of '\(dataset.name)' has \(dataset.testCount)"
                    + (testSet.limitNote == nil ? "" : " (the test images the run was trained with)"))
        }
        let attack = try makeAttack(
            method, options: options, parsed: parsed, surrogate: loaded, dataset: dataset, count: count)
        let pixels = dataset.pixelCount
        let images = Tensor(shape: [count, pixels], copying: dataset.testImages[0..<(count * pixels)])
        let labels = Array(dataset.testLabels[0..<count])

        let start = Date()
        var sweeps: [ClassTargetSweep] = []
        for run in [loaded] + (other.map { [$0] } ?? []) {
            try NonFiniteOutputs.check(run.model, dataset: dataset, count: count, run: run.run)
        }
        for model in [loaded.model] + (other.map { [$0.model] } ?? []) {
            model.setTraining(false)
            let progress = ProgressReporter(label: "\(method) towards every class", quiet: quiet)
            sweeps.append(
                try ClassTargetSweep.run(
                    attack, method: method, model: model, images: images, labels: labels,
                    norm: options.threat.norm, epsilon: options.threat.epsilon
                ) { target, classes, iteration, iterations in
                    progress.update(
                        done: target * iterations + iteration, total: classes * iterations,
                        detail: "target \(target) iteration \(iteration)/\(iterations)")
                })
        }
        let seconds = Date().timeIntervalSince(start)
        // With two runs: each sweep's images judged by the other run.
        let crossRates =
            other.map { [sweeps[0].successRates(on: $0.model), sweeps[1].successRates(on: loaded.model)] } ?? []

        if let out = options.out {
            InterruptNote.set("interrupted while writing into \(out): each file there is whole, some may be missing")
            try writeTargetSweeps(sweeps, folder: out)
            InterruptNote.set("interrupted: the grids are written into \(out); no report was printed")
        }
        if let note = testSet.limitNote, !quiet { printError(note) }
        let runs = [loaded.run] + (other.map { [$0.run] } ?? [])
        if parsed.has(SharedOptions.json) {
            print(
                targetSweepJSON(
                    sweeps, crossRates: crossRates, runs: runs, method: method, options: options, dataset: dataset,
                    testSet: testSet, seconds: seconds
                ).serialized())
        } else {
            printTargetSweeps(
                sweeps, crossRates: crossRates, runs: runs, method: method, options: options, dataset: dataset,
                seconds: seconds)
        }
        return 0
    }

    /// `target-grid.png` and `target-sweep.csv` for the first sweep; for a second one
    /// `target-grid-compare.png`, `target-sweep-compare.csv` and `target-grid-side-by-side.png` (first left);
    /// an earlier attack's other files in `folder` are removed first (`AttackOutputFiles`).
    static func writeTargetSweeps(_ sweeps: [ClassTargetSweep], folder: String) throws {
        try OutputFolderCreation.make(folder)
        let grids = sweeps.map { $0.grid() }
        var files: [(name: String, bytes: [UInt8])] = []
        for (index, (sweep, grid)) in zip(sweeps, grids).enumerated() {
            let suffix = index == 0 ? "" : "-compare"
            files.append(
                (
                    "target-grid\(suffix).png",
                    PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values)
                ))
            files.append(("target-sweep\(suffix).csv", Array(sweep.table().utf8)))
        }
        if grids.count == 2 {
            let both = ClassTargetSweep.sideBySide(grids[0], grids[1])
            files.append(
                (
                    "target-grid-side-by-side.png",
                    PNGWriter.encodeGray(width: both.width, height: both.height, values: both.values)
                ))
        }
        // The folder holds this sweep's result alone: an earlier attack's files there go first.
        try AttackOutputFiles.removeEarlier(in: folder, keeping: Set(files.map(\.name)))
        do {
            for file in files { try FileIO.writeAtomically(file.bytes, path: folder + "/" + file.name) }
        } catch {
            throw RuntimeError("--out: \(error)")
        }
    }

    /// The JSON report: the run's figures and `target_sweep` (per class: target, class, success_rate,
    /// mean_target_probability); with `--compare`, the same under `compare`, and in each entry
    /// `other_model_success_rate`: the share of that run's images towards the class that the other run
    /// also classifies as the class.
    static func targetSweepJSON(
        _ sweeps: [ClassTargetSweep], crossRates: [[Double]], runs: [RunDirectory], method: String,
        options: AttackOptions, dataset: Dataset, testSet: RunTestSet, seconds: Double
    ) -> JSONValue {
        func figures(_ index: Int) -> [String: JSONValue] {
            let columns = sweeps[index].columns
            let cross = crossRates.indices.contains(index) ? crossRates[index] : nil
            var object: [String: JSONValue] = [
                "run": .string(runs[index].path), "clean_accuracy": .number(sweeps[index].cleanAccuracy),
                "success_rate": .number(mean(columns.map(\.successRate))),
                "mean_target_probability": .number(mean(columns.map(\.meanTargetProbability))),
                "gradient_evaluations": .integer(sweeps[index].gradientEvaluations),
                "target_sweep": .array(
                    columns.map { column in
                        var entry: [String: JSONValue] = [
                            "target": .integer(column.target),
                            "class": .string(dataset.classNames[column.target]),
                            "success_rate": .number(column.successRate),
                            "mean_target_probability": .number(column.meanTargetProbability),
                        ]
                        if let cross { entry["other_model_success_rate"] = .number(cross[column.target]) }
                        return .object(entry)
                    }),
            ]
            if let cross { object["other_model_success_rate"] = .number(mean(cross)) }
            return object
        }
        var object = figures(0)
        object["attack"] = .string(method)
        object["target"] = .string("all")
        object["targeted"] = .bool(true)
        object["n"] = .integer(sweeps[0].count)
        object["eps"] = .decimal(options.threat.epsilon)
        object["norm"] = .string(options.threat.norm == .l2 ? "2" : "inf")
        object["seconds"] = .number(seconds)
        for (key, value) in testSet.jsonFields { object[key] = value }
        if let out = options.out { object["out"] = .string(out) }
        if sweeps.count == 2 { object["compare"] = .object(figures(1)) }
        return .object(object)
    }

    /// The mean of `values` (0 when empty).
    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// The text report: one line on the setting, a table of success rate and mean p(target) per class
    /// (with `--compare`, a group of columns per run, and `other`: the share of the run's images the
    /// other run also puts in the class), and the means.
    static func printTargetSweeps(
        _ sweeps: [ClassTargetSweep], crossRates: [[Double]], runs: [RunDirectory], method: String,
        options: AttackOptions, dataset: Dataset, seconds: Double
    ) {
        let norm = options.threat.norm == .l2 ? "L2" : "L-inf"
        print(
            String(
                format: "%@ towards every class, %@ eps %g, from %d test images of '%@'", method, norm,
                Double(options.threat.epsilon), sweeps[0].count, Sanitize.line(dataset.name, limit: 80)))
        /// A table line without the padding after its last cell.
        func emit(_ line: String) {
            print(String(line.reversed().drop(while: { $0 == " " }).reversed()))
        }
        let names = dataset.classNames.map { Sanitize.line($0, limit: 16) }
        let nameWidth = max(5, names.map(\.count).max() ?? 5)
        func padded(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        let crossed = !crossRates.isEmpty
        let runNames = runs.map { Sanitize.line($0.name, limit: 24) }
        let cell = max(crossed ? 27 : 19, (runNames.map(\.count).max() ?? 0) + 1)
        /// One run's cell: success rate, mean p(target) and, with two runs, the other run's success rate.
        func figures(_ success: Double, _ probability: Double, _ other: Double?) -> String {
            padded(
                String(format: "%7.4f  %9.4f", success, probability)
                    + (other.map { String(format: "  %6.4f", $0) } ?? ""),
                cell)
        }
        emit(padded("", 7 + nameWidth + 2) + runNames.map { padded($0, cell) }.joined())
        emit(
            padded("target", 7) + padded("class", nameWidth + 2)
                + String(
                    repeating: padded("success  p(target)" + (crossed ? "  other" : ""), cell), count: sweeps.count))
        for target in 0..<dataset.classCount {
            var line = padded("\(target)", 7) + padded(names[target], nameWidth + 2)
            for (index, sweep) in sweeps.enumerated() {
                let column = sweep.columns[target]
                line += figures(
                    column.successRate, column.meanTargetProbability, crossed ? crossRates[index][target] : nil)
            }
            emit(line)
        }
        var means = padded("mean", 7 + nameWidth + 2)
        for (index, sweep) in sweeps.enumerated() {
            means += figures(
                mean(sweep.columns.map(\.successRate)), mean(sweep.columns.map(\.meanTargetProbability)),
                crossed ? mean(crossRates[index]) : nil)
        }
        emit(means)
        for (sweep, name) in zip(sweeps, runNames) {
            print(
                String(
                    format: "%@: clean accuracy %.4f on these images; %d gradient evaluations", name,
                    sweep.cleanAccuracy, sweep.gradientEvaluations))
        }
        if crossed {
            print("other: the share of a run's images towards the class that the other run also puts in the class")
        }
        print(String(format: "%d targeted runs in %.2f s", sweeps.count * dataset.classCount, seconds))
    }
}
