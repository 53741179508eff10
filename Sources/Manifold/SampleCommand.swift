import Base
import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// `manifold sample METHOD --run RUN`: draws samples from a trained generative run with a step-machine
/// sampler, writes a PNG grid (atomically) and scores the samples with a classifier (MATH.md 11).
///
/// Scores need a classifier: `--classifier RUN` uses a saved mlp/cnn run; without it a small MLP is
/// trained on the spot (2 epochs on up to 10,000 training images of the run's dataset, a few seconds),
/// and the JSON says so (`"classifier": "quick-mlp"`). `--no-scores` skips scoring.
enum SampleCommand {
    typealias Method = SamplingMethod

    static let valueOptions: Set<String> = [
        "run", "n", "steps", "seed", "out", "step", "eta", "variance", "interpolate", "classifier", "threads", "latent",
        "test-limit",
    ]
    static let flagOptions: Set<String> = ["json", "clip", "quiet", "no-scores", "no-ema"]

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        guard let methodName = parsed.positional.first else {
            throw UsageError("'sample' needs a method: \(Method.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let method = Method(rawValue: methodName) else {
            throw UsageError(
                "unknown sampling method '\(Sanitize.line(methodName))' (known: \(Method.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        var interpolation: (Int, Int)?
        if let first = parsed.string("interpolate") {
            guard method == .prior else { throw UsageError("'--interpolate' applies to 'prior' only") }
            let parts =
                first.contains(",")
                ? first.split(separator: ",").map(String.init) : [first] + parsed.positional.dropFirst().prefix(1)
            guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, b >= 0 else {
                throw UsageError("'--interpolate' needs two test-image indices: --interpolate A B")
            }
            interpolation = (a, b)
            try parsed.expectPositional(atMost: first.contains(",") ? 1 : 2, command: "sample")
        } else {
            try parsed.expectPositional(atMost: 1, command: "sample")
        }
        guard let runName = parsed.string("run") else {
            throw UsageError(
                "'sample' needs '--run RUN' (a trained \(method.kinds.map(\.rawValue).joined(separator: "/")) run)")
        }
        let run = try resolveRunArgument(runName)
        let count = try parsed.integer(
            "n", default: interpolation == nil ? 64 : 10, in: interpolation == nil ? 1...10_000 : 2...10_000)
        let seed = try parsed.seed(default: 0)
        if method == .ddpm && parsed.string("steps") != nil {
            throw UsageError("'ddpm' takes all T steps of the schedule; use 'ddim --steps S' for fewer")
        }
        if method == .prior && parsed.string("steps") != nil { throw UsageError("'prior' takes no '--steps'") }
        let steps = try parsed.integer(
            "steps", default: method.defaultSteps, in: 1...1_000_000)
        let eta = try parsed.number("eta", default: 0, in: 0...10)
        let stepSize: Double? =
            parsed.string("step") == nil
            ? nil : try parsed.number("step", default: 0, in: 0...1e6, excludingLower: true)
        var variance = DDPMSampler.Variance.beta
        if let text = parsed.string("variance") {
            guard let value = DDPMSampler.Variance(rawValue: text) else {
                throw UsageError("option '--variance' must be beta or posterior, got '\(Sanitize.line(text))'")
            }
            variance = value
        }
        for (option, methods) in [
            ("eta", [Method.ddim]), ("variance", [.ddpm]), ("step", [.langevin, .annealedLangevin]),
        ] where parsed.string(option) != nil {
            guard methods.contains(method) else {
                throw UsageError("option '--\(option)' does not apply to '\(method.rawValue)'")
            }
        }
        if parsed.has("clip") && method != .ddpm && method != .ddim {
            throw UsageError("'--clip' applies to ddpm and ddim")
        }
        if parsed.has("no-ema") && method != .ddpm && method != .ddim {
            throw UsageError("'--no-ema' applies to ddpm and ddim")
        }
        let latentOverride: Int? =
            parsed.string("latent") == nil ? nil : try parsed.integer("latent", default: 1, in: 1...4096)
        let testLimit = try parsed.integer("test-limit", default: 2000, in: 2...Int.max)
        let classifierRun = try parsed.string("classifier").map { try resolveRunArgument($0) }
        try applyThreads(parsed)
        let outPath = parsed.string("out") ?? run.file("samples-\(method.rawValue).png")

        let (kind, settings, config, model) = try GenerativeFactory.load(run: run, latentOverride: latentOverride)
        guard method.kinds.contains(kind) else {
            throw RuntimeError(
                "run '\(run.path)' is a '\(kind.rawValue)' model; '\(method.rawValue)' sampling needs a \(method.kinds.map(\.rawValue).joined(separator: ", ")) run"
            )
        }
        let pixels = config["pixels"]?.integerValue ?? 784
        let needsData = interpolation != nil || !parsed.has("no-scores")
        var dataset: Dataset?
        if needsData {
            let dataSpec = config["data"]?.stringValue ?? "synthetic"
            let dataSeed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
            var loaded = try DatasetLoader.load(dataSpec, seed: dataSeed)
            guard loaded.pixelCount == pixels else {
                throw RuntimeError("dataset '\(dataSpec)' has \(loaded.pixelCount) pixels per image, the run \(pixels)")
            }
            loaded = loaded.subset(
                train: min(loaded.trainCount, 10_000),
                test: min(loaded.testCount, max(testLimit, (interpolation.map { max($0.0, $0.1) } ?? 0) + 1)))
            dataset = loaded
        }

        var codes: Tensor?
        if method == .prior, let (a, b) = interpolation, let (encode, _, latent) = SamplerFactory.latentFunctions(model)
        {
            guard let dataset, a < dataset.testCount, b < dataset.testCount else {
                throw UsageError("'--interpolate' indices must be below the test set's size \(dataset?.testCount ?? 0)")
            }
            let pair = noGrad {
                encode(Tensor(shape: [2, pixels], scalars: Array(dataset.testImage(a)) + Array(dataset.testImage(b))))
            }
            codes = PriorSampler.interpolation(
                from: Array(pair.scalars[0..<latent]), to: Array(pair.scalars[latent..<(2 * latent)]), count: count)
        }
        if method == .ddim, let ddpm = model as? DDPM, steps > ddpm.schedule.stepCount {
            throw UsageError("'--steps' for ddim must be at most T = \(ddpm.schedule.stepCount)")
        }
        _ = settings
        var weights: JSONValue = .null
        if let ddpm = model as? DDPM {
            ddpm.samplesWithAverage = !parsed.has("no-ema")
            weights = .string(ddpm.samplesWithAverage && !ddpm.averagedParameters.isEmpty ? "ema" : "live")
        }
        let sampler = try SamplerFactory.make(
            method: method, model: model, pixels: pixels, count: count, steps: steps, seed: seed,
            options: SamplingOptions(stepSize: stepSize, eta: eta, variance: variance, clip: parsed.has("clip")),
            codes: codes)

        let progress = ProgressReporter(
            label: "sample \(method.rawValue)", quiet: parsed.has("quiet") || parsed.has("json"))
        let start = Date()
        do {
            try sampler.run { s in
                progress.update(
                    done: s.progress.done, total: s.progress.total,
                    detail: String(format: "noise %.3f  score %.3g", s.noiseLevel, s.scoreNorm))
            }
        } catch let fault as ModelFault {
            throw RuntimeError(fault.description + "; nothing written")
        }
        let seconds = Date().timeIntervalSince(start)
        let images = sampler.images
        let side = Int(Double(pixels).squareRoot())
        let tiles = (0..<count).map { Array(images.scalars[($0 * pixels)..<(($0 + 1) * pixels)]) }
        let columns = interpolation != nil ? count : max(1, Int(Double(count).squareRoot().rounded(.up)))
        let grid = PNGWriter.grid(images: tiles, tileWidth: side, tileHeight: pixels / max(side, 1), columns: columns)
        do {
            try FileIO.writeAtomically(
                PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values), path: outPath)
        } catch {
            throw RuntimeError("cannot write '\(Sanitize.line(outPath))': \(error)")
        }

        var scores: JSONValue = .null
        var classifierName: JSONValue = .null
        if !parsed.has("no-scores"), let dataset {
            let (classifier, name) = try scoringClassifier(
                classifierRun, dataset: dataset, quiet: parsed.has("quiet") || parsed.has("json"))
            classifierName = .string(name)
            let reference = Tensor(shape: [dataset.testCount, pixels], scalars: dataset.testImages)
            let result = SampleScores.evaluate(classifier: classifier, images: images, reference: reference)
            scores = .object([
                "class_entropy": .number(result.classEntropy), "classes_covered": .integer(result.classesCovered),
                "fcd": .number(result.frechetDistance), "mean_confidence": .number(result.meanConfidence),
                "histogram": .array(result.histogram.map { .integer($0) }),
            ])
        }
        if parsed.has("json") {
            print(
                JSONValue.object([
                    "method": .string(method.rawValue), "n": .integer(count), "seconds": .number(seconds),
                    "run": .string(run.path),
                    "out": .string(outPath), "scores": scores, "classifier": classifierName, "weights": weights,
                ]).serialized())
        } else {
            var line = String(
                format: "%@: %d samples in %.2f s, written to %@", method.rawValue, count, seconds, outPath)
            if let s = scores.objectValue {
                line += String(
                    format: "; class entropy %.3f nats, %d classes covered, FCD %.3f (%@)",
                    s["class_entropy"]?.doubleValue ?? 0,
                    s["classes_covered"]?.integerValue ?? 0, s["fcd"]?.doubleValue ?? 0,
                    classifierName.stringValue ?? "")
            }
            print(line)
        }
        return 0
    }

    /// The classifier that scores samples: a saved run, or a quick MLP trained now.
    static func scoringClassifier(_ run: RunDirectory?, dataset: Dataset, quiet: Bool) throws -> (Classifier, String) {
        var generator = RandomGenerator(seed: 1)
        if let run {
            guard run.exists else { throw RuntimeError("no classifier run folder '\(run.path)'") }
            let config = try run.readConfig()
            guard let kind = (config["model"]?.stringValue).flatMap(Classifier.Kind.init(rawValue:)) else {
                throw RuntimeError("\(run.file("config.json")): '--classifier' needs an mlp or cnn run")
            }
            let classifier = Classifier(
                kind: kind, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
                classCount: dataset.classCount, generator: &generator)
            try RunCheckpoint.load(run: run, module: classifier)
            return (classifier, run.path)
        }
        let classifier = Classifier(
            kind: .mlp, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
            classCount: dataset.classCount, generator: &generator)
        let training = ClassifierTraining(
            model: classifier, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: 2, seed: 1)
        while !training.isFinished { _ = try training.step() }
        if !quiet {
            printError(
                "note: scores use a quick MLP (2 epochs on \(dataset.trainCount) training images); pass --classifier RUN for a saved one"
            )
        }
        return (classifier, "quick-mlp")
    }
}
