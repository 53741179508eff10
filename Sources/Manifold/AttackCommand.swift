import Attacks
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold attack METHOD --run RUN`: runs an adversarial attack on a saved classifier's test images and
/// reports accuracy, success rate, perturbation norms, model accesses and time.
enum AttackCommand {
    static let methods = AttackFactory.methods
    static let valueOptions: Set<String> = [
        "run", "eps", "norm", "steps", "alpha", "target", "n", "seed", "out", "data", "batch", "threads", "restarts",
        "c", "kappa", "lr", "search-steps", "pixels", "population", "target-run", "transfer-run", "with", "pool",
        "rotation", "shift", "overshoot", "rotation-steps", "candidates", "queries", "p-init", "epochs", "goal",
        "train-n",
    ]
    static let flagOptions: Set<String> = ["json", "quiet", "no-random-start", "torchattacks"]

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        guard let method = parsed.positional.first else {
            throw UsageError("'attack' needs a method: \(methods.joined(separator: ", "))")
        }
        try parsed.expectPositional(atMost: 1, command: "attack")
        guard methods.contains(method) else {
            throw UsageError("unknown attack '\(Sanitize.line(method))' (known: \(methods.joined(separator: ", ")))")
        }
        guard let runName = parsed.string("run") else {
            throw UsageError("'attack' needs '--run RUN' (a classifier run)")
        }
        try applyThreads(parsed)
        let options = try AttackOptions(parsed, method: method)

        let loaded = try LoadedClassifierRun.load(runName, option: "--run")
        let dataset = try loaded.dataset(override: parsed.string("data"), seed: options.seed)
        let count = try parsed.integer("n", default: min(1000, dataset.testCount), in: 1...Int.max)
        guard count <= dataset.testCount else {
            throw UsageError(
                "'--n' asks for \(count) images but the test set of '\(dataset.name)' has \(dataset.testCount)")
        }
        if case .targeted(let target) = options.goal, target >= dataset.classCount {
            throw UsageError("'--target' \(target) is not a class of '\(dataset.name)' (0..\(dataset.classCount - 1))")
        }
        let attack = try makeAttack(method, options: options, parsed: parsed, surrogate: loaded, dataset: dataset)
        let model = loaded.model
        model.setTraining(false)

        let pixels = dataset.pixelCount
        // A universal perturbation is one v for the whole set: never split it into batches.
        let batchSize =
            method == "uap"
            ? count : try parsed.integer("batch", default: model.kind == .mlp ? 2000 : 500, in: 1...100_000)
        let progress = ProgressReporter(label: "\(method) \(dataset.name)", quiet: parsed.has("quiet"))
        let start = Date()
        let result = try attackTestImages(
            attack, method: method, model: model, dataset: dataset, count: count, batchSize: batchSize,
            threat: options.threat, progress: progress)
        let seconds = Date().timeIntervalSince(start)

        if let out = parsed.string("out") {
            try writeImages(
                result, clean: Array(dataset.testImages[0..<(count * pixels)]), dataset: dataset, folder: out)
            if let v = result.universalPerturbation {
                try writeHeatmap(
                    v, width: dataset.imageWidth, height: dataset.imageHeight, path: out + "/uap-perturbation.png")
            }
        }
        report(result, method: method, options: options, seconds: seconds, json: parsed.has("json"), run: loaded.run)
        if let hint = cwStepsHint(result, method: method, goal: options.goal, steps: options.steps ?? 100),
            !parsed.has("quiet")
        {
            printError(hint)
        }
        return 0
    }

    /// A hint on stderr when targeted CW missed most targets: its Adam steps, not c, are then usually
    /// what is short (pixels at exactly 0 or 1 sit where tanh is flat and move slowly).
    static func cwStepsHint(_ result: AttackResult, method: String, goal: AttackGoal, steps: Int) -> String? {
        guard method == "cw", goal.isTargeted, result.successRate < 0.5 else { return nil }
        return String(
            format:
                "hint: targeted CW reached %.0f%% of its targets in %d steps per c; targeted CW needs more steps (try --steps %d)",
            result.successRate * 100, steps, steps * 10)
    }

    /// Runs `attack` on the first `count` test images of `dataset`, `batchSize` images per run, and
    /// merges the results (what `attack` times as its seconds).
    static func attackTestImages(
        _ attack: any Attack, method: String, model: Classifier, dataset: Dataset, count: Int, batchSize: Int,
        threat: ThreatModel, progress: ProgressReporter?
    ) throws -> AttackResult {
        let pixels = dataset.pixelCount
        var parts: [AttackResult] = []
        var first = 0
        while first < count {
            let last = min(first + batchSize, count)
            let images = Tensor(
                shape: [last - first, pixels], scalars: Array(dataset.testImages[(first * pixels)..<(last * pixels)]))
            let labels = Array(dataset.testLabels[first..<last])
            let run: AttackRun
            do {
                run = try attack.makeRun(classifier: model, images: images, labels: labels, threat: threat)
            } catch let error as AttackError {
                throw RuntimeError("\(method): \(error.description)")
            }
            while !run.isFinished {
                try run.step()
                progress?.update(
                    done: first + (last - first) * run.iteration / max(run.iterationCount, 1), total: count,
                    detail: String(format: "iteration %d/%d  loss %.4f", run.iteration, run.iterationCount, run.loss))
            }
            parts.append(run.result())
            first = last
        }
        return AttackResult.merged(parts)
    }

    static func report(
        _ result: AttackResult, method: String, options: AttackOptions, seconds: Double, json: Bool, run: RunDirectory
    ) {
        let blackBox = AttackFactory.queryMethods.contains(method)
        if json {
            var object: [String: JSONValue] = [
                "attack": .string(method), "n": .integer(result.count), "clean_accuracy": .number(result.cleanAccuracy),
                "adversarial_accuracy": .number(result.adversarialAccuracy),
                "success_rate": .number(result.successRate),
                "mean_linf": .number(result.meanLinf), "mean_l2": .number(result.meanL2),
                "mean_l0": .number(result.meanL0),
                "success_rate_on_correct": .number(result.successRateOnCorrect),
                "mean_l2_on_correct_successes": .number(result.meanL2OnCorrectSuccesses),
                "queries": .integer(blackBox ? result.queries : result.gradientEvaluations),
                "gradient_evaluations": .integer(result.gradientEvaluations), "seconds": .number(seconds),
                "run": .string(run.path), "targeted": .bool(options.goal.isTargeted),
            ]
            if !AttackFactory.radiusFreeMethods.contains(method) {
                object["eps"] = .number(Double(options.threat.epsilon))
                object["norm"] = .string(options.threat.norm == .l2 ? "2" : options.threat.norm == .l0 ? "0" : "inf")
            }
            for (key, value) in result.metrics { object[key] = .number(value) }
            for (key, values) in result.perImageExtras {
                let finite = values.filter(\.isFinite)
                object["mean_\(key)"] = finite.isEmpty ? .null : .number(finite.reduce(0, +) / Double(finite.count))
            }
            if method == "cw", let c = result.perImageExtras["c"] {
                object["c"] = .array(c.map { $0.isFinite ? .number($0) : .null })
            }
            if method == "spatial" {
                object["transforms"] = .array(
                    spatialTransforms(result).map { item in
                        .object([
                            "image": .integer(item.image), "rotation": .number(item.rotation),
                            "shift_x": .integer(item.dx), "shift_y": .integer(item.dy),
                        ])
                    })
            }
            print(JSONValue.object(object).serialized())
        } else {
            print(
                String(
                    format: "%@ on %d images: clean accuracy %.4f, adversarial accuracy %.4f, success rate %.4f",
                    method, result.count, result.cleanAccuracy, result.adversarialAccuracy, result.successRate))
            print(
                String(
                    format: "mean perturbation: L-inf %.4f, L2 %.4f, L0 %.1f pixels; %d %@, %.2f s", result.meanLinf,
                    result.meanL2, result.meanL0, blackBox ? result.queries : result.gradientEvaluations,
                    blackBox ? "queries" : "gradient evaluations", seconds))
            for (key, value) in result.metrics.sorted(by: { $0.key < $1.key }) {
                print(String(format: "%@: %.4f", key, value))
            }
            if method == "cw", let c = result.perImageExtras["c"] {
                let found = c.filter(\.isFinite).sorted()
                if let low = found.first, let high = found.last {
                    print(
                        String(
                            format: "c of each kept success: median %g, from %g to %g; %d of %d images never succeeded",
                            found[found.count / 2], low, high, c.count - found.count, c.count))
                } else {
                    print("no image succeeded at any c")
                }
            }
            if method == "spatial" {
                var counts: [String: Int] = [:]
                for item in spatialTransforms(result) {
                    counts[
                        String(format: "rotation %+.0f deg, shift (%+d, %+d)", item.rotation, item.dx, item.dy),
                        default: 0] += 1
                }
                for (name, n) in counts.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) })
                    .prefix(5)
                {
                    print("fooled by \(name): \(n) images")
                }
            }
        }
    }

    /// The transform that fooled each image of a spatial attack (images it did not fool are left out).
    static func spatialTransforms(_ result: AttackResult) -> [(image: Int, rotation: Double, dx: Int, dy: Int)] {
        let rotation = result.perImageExtras["rotation"] ?? []
        let dx = result.perImageExtras["shift_x"] ?? []
        let dy = result.perImageExtras["shift_y"] ?? []
        return rotation.indices.compactMap { i in
            rotation[i].isFinite ? (i, rotation[i], Int(dx[i]), Int(dy[i])) : nil
        }
    }

    /// The universal perturbation as a blue-white-red heatmap scaled to its largest value.
    static func writeHeatmap(_ v: [Float], width: Int, height: Int, path: String) throws {
        let scale = max(v.map(abs).max() ?? 0, 1e-6)
        var rgb = [UInt8]()
        rgb.reserveCapacity(v.count * 3)
        for d in v {
            let value = min(max(d / scale, -1), 1)
            let fade = UInt8(((1 - abs(value)) * 255).rounded())
            rgb += value >= 0 ? [255, fade, fade] : [fade, fade, 255]
        }
        do {
            try FileIO.writeAtomically(
                PNGWriter.encode(width: width, height: height, colorType: .rgb, pixels: rgb), path: path)
        } catch {
            throw RuntimeError("--out: \(error)")
        }
    }

    /// Per image: the clean image, the adversarial image and the perturbation as a blue-white-red heatmap
    /// (blue darkens pixels, red brightens them, scaled to the image's largest change), each written
    /// atomically as `NNNNN-clean.png`, `NNNNN-adversarial.png`, `NNNNN-perturbation.png`.
    static func writeImages(_ result: AttackResult, clean: [Float], dataset: Dataset, folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError("--out: cannot create '\(folder)': \(error.localizedDescription)")
        }
        let (height, width, pixels) = (dataset.imageHeight, dataset.imageWidth, dataset.pixelCount)
        let adversarial = result.adversarial.scalars
        for index in 0..<result.count {
            let x = Array(clean[(index * pixels)..<((index + 1) * pixels)])
            let y = Array(adversarial[(index * pixels)..<((index + 1) * pixels)])
            let delta = zip(y, x).map { $0 - $1 }
            let scale = max(delta.map(abs).max() ?? 0, 1e-6)
            var rgb = [UInt8]()
            rgb.reserveCapacity(pixels * 3)
            for d in delta {
                let v = min(max(d / scale, -1), 1)
                let fade = UInt8(((1 - abs(v)) * 255).rounded())
                rgb += v >= 0 ? [255, fade, fade] : [fade, fade, 255]
            }
            let name = String(format: "%@/%05d", folder, index)
            do {
                try FileIO.writeAtomically(
                    PNGWriter.encodeGray(width: width, height: height, values: x), path: "\(name)-clean.png")
                try FileIO.writeAtomically(
                    PNGWriter.encodeGray(width: width, height: height, values: y), path: "\(name)-adversarial.png")
                try FileIO.writeAtomically(
                    PNGWriter.encode(width: width, height: height, colorType: .rgb, pixels: rgb),
                    path: "\(name)-perturbation.png")
            } catch {
                throw RuntimeError("--out: \(error)")
            }
        }
        do {
            try FileIO.writeAtomically(Array(resultsTable(result).utf8), path: folder + "/results.csv")
        } catch {
            throw RuntimeError("--out: \(error)")
        }
    }

    /// One CSV row per image: true label, target, predictions before and after, success, the norms of
    /// the perturbation, and the method's per-image numbers (CW's c, the spatial transform, queries);
    /// an empty cell where there is none.
    static func resultsTable(_ result: AttackResult) -> String {
        let extras = result.perImageExtras.keys.sorted()
        var lines = [
            (["image", "label", "target", "clean_prediction", "adversarial_prediction", "success", "linf", "l2", "l0"]
                + extras).joined(separator: ",")
        ]
        for (index, outcome) in result.outcomes.enumerated() {
            var cells = [
                "\(index)", "\(outcome.label)", outcome.target.map(String.init) ?? "", "\(outcome.cleanPrediction)",
                "\(outcome.adversarialPrediction)", outcome.success ? "1" : "0", "\(outcome.norms.linf)",
                "\(outcome.norms.l2)", "\(outcome.norms.l0)",
            ]
            for key in extras {
                let value = result.perImageExtras[key]?[index] ?? .nan
                cells.append(value.isFinite ? "\(value)" : "")
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The options every attack shares, validated.
struct AttackOptions {
    var threat: ThreatModel
    var goal: AttackGoal
    var steps: Int?
    var alpha: Float?
    var seed: UInt64

    init(_ parsed: ParsedArguments, method: String) throws {
        if AttackFactory.radiusFreeMethods.contains(method),
            let given = ["eps", "norm"].first(where: { parsed.string($0) != nil })
        {
            throw UsageError("\(method) has no eps-ball (see 'manifold help attack'); drop '--\(given)'")
        }
        let normText = parsed.string("norm") ?? (method == "pgd-l2" ? "2" : "inf")
        let norm: PerturbationNorm
        switch normText {
        case "inf", "linf": norm = .linf
        case "2", "l2": norm = .l2
        default: throw UsageError("option '--norm' must be inf or 2, got '\(Sanitize.line(normText))'")
        }
        if method == "pgd-l2" && norm != .l2 { throw UsageError("pgd-l2 is the L2 attack; drop '--norm \(normText)'") }
        let epsilon: Double
        if norm == .linf {
            epsilon = try parsed.number("eps", default: 0.1, in: 0...1, excludingLower: true)
        } else {
            epsilon = try parsed.number("eps", default: 1.0, in: 0...28, excludingLower: true)
        }
        switch parsed.string("target") {
        case nil: goal = AttackFactory.defaultGoal(for: method)
        case "ll": goal = .leastLikely
        case let text?:
            guard let target = Int(text), target >= 0 else {
                throw UsageError("option '--target' must be a class number or ll, got '\(Sanitize.line(text))'")
            }
            goal = .targeted(target)
        }
        threat = ThreatModel(norm: norm, epsilon: Float(epsilon), goal: goal)
        steps = parsed.string("steps") == nil ? nil : try parsed.integer("steps", default: 1, in: 1...1_000_000)
        alpha =
            parsed.string("alpha") == nil
            ? nil : Float(try parsed.number("alpha", default: 0, in: 0...28, excludingLower: true))
        seed = try parsed.seed(default: 0)
    }
}

/// Builds the attack named `method` from the command line through `AttackFactory`.
func makeAttack(
    _ method: String, options: AttackOptions, parsed: ParsedArguments, surrogate: LoadedClassifierRun, dataset: Dataset
) throws -> any Attack {
    var settings = AttackFactory.Settings(steps: options.steps, alpha: options.alpha, seed: options.seed)
    settings.restarts = try parsed.integer("restarts", default: 1, in: 1...1000)
    settings.randomStart = !parsed.has("no-random-start")
    settings.kappa = Float(try parsed.number("kappa", default: 0, in: 0...1000))
    settings.c = Float(try parsed.number("c", default: 1, in: 0...1e6, excludingLower: true))
    settings.learningRate = Float(try parsed.number("lr", default: 0.01, in: 0...10, excludingLower: true))
    settings.torchattacksCW = parsed.has("torchattacks")
    if settings.torchattacksCW && method != "cw" { throw UsageError("'--torchattacks' applies to cw only") }
    settings.searchSteps = try parsed.integer("search-steps", default: settings.torchattacksCW ? 1 : 5, in: 1...50)
    settings.pixels = try parsed.integer("pixels", default: 1, in: 1...dataset.pixelCount)
    settings.population = try parsed.integer("population", default: 100, in: 4...100_000)
    settings.overshoot = Float(try parsed.number("overshoot", default: 0.02, in: 0...10))
    settings.candidates = try parsed.integer("candidates", default: 10, in: 2...dataset.classCount.clamped(2))
    settings.rotation = Float(try parsed.number("rotation", default: 30, in: 0...180))
    settings.rotationSteps = try parsed.integer("rotation-steps", default: 7, in: 1...361)
    settings.shift = try parsed.integer("shift", default: 3, in: 0...64)
    settings.queries = try parsed.integer("queries", default: 1000, in: 3...10_000_000)
    settings.pInit = Float(try parsed.number("p-init", default: 0.8, in: 0...1, excludingLower: true))
    settings.epochs = try parsed.integer("epochs", default: 5, in: 1...10_000)
    settings.goal = try parsed.number("goal", default: 0.8, in: 0...1)
    if method == "uap" {
        let trainCount = try parsed.integer("train-n", default: min(1000, dataset.trainCount), in: 1...Int.max)
        guard trainCount <= dataset.trainCount else {
            throw UsageError(
                "'--train-n' asks for \(trainCount) images but the training set of '\(dataset.name)' has \(dataset.trainCount)"
            )
        }
        settings.trainImages = Tensor(
            shape: [trainCount, dataset.pixelCount],
            scalars: Array(dataset.trainImages[0..<(trainCount * dataset.pixelCount)]))
        if let other = parsed.string("transfer-run") {
            let transfer = try LoadedClassifierRun.load(other, option: "--transfer-run")
            transfer.model.setTraining(false)
            settings.transferModel = transfer.model
        }
    }
    if method == "transfer" {
        guard let targetRun = parsed.string("target-run") else {
            throw UsageError("'attack transfer' needs '--target-run RUN' (the model to transfer to)")
        }
        let target = try LoadedClassifierRun.load(targetRun, option: "--target-run")
        target.model.setTraining(false)
        settings.transferTarget = target.model
        let inner = parsed.string("with") ?? "pgd"
        guard inner != "transfer", AttackCommand.methods.contains(inner) else {
            throw UsageError("option '--with' must name a white-box attack, got '\(Sanitize.line(inner))'")
        }
        settings.transferWith = inner
    }
    do {
        return try AttackFactory.make(method, settings: settings)
    } catch let error as AttackError {
        throw UsageError(error.description)
    }
}

extension Int {
    fileprivate func clamped(_ low: Int) -> Int { Swift.max(self, low) }
}
