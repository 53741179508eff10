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

    /// The options of `sample`, each declared once.
    enum Options {
        static let run = SharedOptions.run.withHelp(
            "the trained run: vae, aae or wae for prior, dae for the Langevin methods, ddpm for ddpm and ddim")
        static let count = CommandOption<Int>.integer(
            "n", default: 64, in: IntegerRange(1...10_000),
            defaultText: "64; 10 with --interpolate; 8 with --class all",
            help: "samples to draw (with --class all: per class)")
        static let steps = CommandOption<Int>.integer(
            "steps", "S", default: nil, in: IntegerRange(1...1_000_000),
            defaultText: [Method.langevin, .annealedLangevin, .ddim].map { "\($0.rawValue) \($0.defaultSteps)" }
                .joined(separator: ", "),
            help: "sampler steps (annealed-langevin: per noise level); ddpm takes all T")
        static let seed = SharedOptions.seed.withHelp("seed of the sampler's noise")
        static let out = CommandOption<String>.string(
            "out", "FILE.png",
            help: "where the PNG grid goes (default runs/RUN/samples-METHOD.png; with --interpolate "
                + "runs/RUN/interpolation-prior.png)")
        static let step = CommandOption<Double>.number(
            "step", default: nil, in: 0...1e6, excludingLower: true, defaultText: "0.05 sigma^2",
            help: "Langevin step size eps")
        static let eta = CommandOption<Double>.number(
            "eta", default: 0, in: 0...1, help: "DDIM's noise scale (0: deterministic, 1: DDPM-like)")
        static let variance = CommandOption<DDPMSampler.Variance>.choice(
            "variance", default: .beta, help: "DDPM's reverse-step variance")
        static let clip = CommandOption<Bool>.flag("clip", help: "ddpm, ddim: clip the predicted x0 to [-1, 1]")
        static let interpolate = CommandOption<String>.string(
            "interpolate", "A B",
            help: "prior: decode a walk between the codes of test images A and B (also --interpolate A,B)")
        static let classifier = CommandOption<String>.string(
            "classifier", "RUN", help: "a saved mlp/cnn run to score with (default: a quick MLP trained now)")
        static let noScores = CommandOption<Bool>.flag("no-scores", help: "skip the scores")
        static let noEMA = CommandOption<Bool>.flag(
            "no-ema", help: "ddpm, ddim: sample with the live weights instead of the run's weight average")
        static let latent = CommandOption<Int>.integer(
            "latent", "K", default: nil, in: IntegerRange(1...4096),
            help: "the run's code size, for a run whose config.json lacks it")
        static let testLimit = SharedOptions.testLimit.withDefault(2000).withHelp(
            "test images the scores compare against (at least 2)")
        static let sampleClass = CommandOption<ClassRequest>(
            "class", kind: .string, placeholder: "K|all", default: nil,
            help: "ddpm, ddim on a conditional ddpm run, prior on a conditional vae run: draw class K, or a row per "
                + "class (--json adds class_accuracy)"
        ) { text throws(UsageError) in
            guard let request = ClassRequest(text) else {
                throw UsageError(
                    "option '--class' needs a class index (0, 1, ...) or 'all', got '\(Sanitize.line(text, limit: 40))'"
                )
            }
            return request
        }
        static let guidance = CommandOption<Double>.number(
            "guidance", "W", default: 0, in: 0...100,
            help: "with --class: classifier-free guidance strength w, eps = (1 + w) eps(x, t, K) - w eps(x, t, none)")
        static let classifierGuidance = CommandOption<String>.string(
            "classifier-guidance", "RUN",
            help: "ddpm, ddim with --class: classifier guidance (Dhariwal & Nichol 2021) by a saved mlp/cnn run of "
                + "the same image size and classes: ddpm shifts each mean by s sigma_t^2 grad log p(K | x_t), ddim "
                + "uses eps - sqrt(1 - alphaBar_t) s grad log p(K | x_t); works on unconditional runs")
        static let scale = CommandOption<Double>.number(
            "scale", "S", default: 1, in: 0...1000, help: "with --classifier-guidance: the guidance scale s")
    }

    static let declaration = CommandDeclaration(
        name: "sample", arguments: "METHOD",
        summary: "draw samples from a trained run: \(Method.allCases.map(\.rawValue).joined(separator: ", "))",
        about: HelpText.sample,
        options: [
            Options.run.declaration, Options.count.declaration, Options.steps.declaration,
            Options.seed.declaration, Options.out.declaration, SharedOptions.json.declaration,
            Options.step.declaration, Options.eta.declaration, Options.variance.declaration,
            Options.clip.declaration, Options.interpolate.declaration, Options.classifier.declaration,
            Options.noScores.declaration, Options.noEMA.declaration, Options.latent.declaration,
            Options.testLimit.declaration, Options.sampleClass.declaration, Options.guidance.declaration,
            Options.classifierGuidance.declaration, Options.scale.declaration, SharedOptions.threads.declaration,
            SharedOptions.quiet.declaration,
        ],
        required: ["run"], maxPositional: nil, choices: ("sampling method", Method.allCases.map(\.rawValue)))

    /// `--interpolate A B` or `--interpolate A,B`: the two test-image indices, not yet checked against
    /// the test set (`arguments` has the first form joined into the second by `joiningInterpolationPair`).
    static func interpolationIndices(_ parsed: ParsedArguments) throws(UsageError) -> (Int, Int)? {
        guard let given = try parsed.given(Options.interpolate) else { return nil }
        let parts = given.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw UsageError("option '--interpolate' needs two test-image indices: --interpolate A B")
        }
        var indices: [Int] = []
        for (label, text) in zip(["A", "B"], parts) {
            guard let index = Int(text) else {
                throw UsageError(
                    "option '--interpolate': index \(label) must be a whole number, got '\(Sanitize.line(text, limit: 40))'"
                )
            }
            indices.append(index)
        }
        return (indices[0], indices[1])
    }

    /// `arguments` with `--interpolate A B` written as `--interpolate A,B`: B is the word right after A.
    /// (B was taken from the first word after the method wherever it stood: `sample prior 17 --run v
    /// --interpolate 3` walked from 3 to 17, where any other stray word is refused.)
    static func joiningInterpolationPair(_ arguments: [String]) -> [String] {
        var joined: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                joined += arguments[(index - 1)...]
                break
            }
            let inline = argument.hasPrefix("--interpolate=")
            guard argument == "--interpolate" || inline else {
                joined.append(argument)
                continue
            }
            var first = inline ? String(argument.dropFirst("--interpolate=".count)) : nil
            if first == nil, index < arguments.count {
                first = arguments[index]
                index += 1
            }
            guard var value = first else {
                joined.append(argument)
                continue
            }
            if !value.contains(","), index < arguments.count, !arguments[index].hasPrefix("--") {
                value += "," + arguments[index]
                index += 1
            }
            joined += ["--interpolate", value]
        }
        return joined
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(joiningInterpolationPair(arguments))
        guard let methodName = parsed.positional.first else {
            throw UsageError("'sample' needs a method: \(Method.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let method = Method(rawValue: methodName) else {
            throw UsageError(
                "unknown sampling method '\(Sanitize.line(methodName))'"
                    + SpellingSuggestion.hint(for: methodName, among: Method.allCases.map(\.rawValue))
                    + " (known: \(Method.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let interpolation = try interpolationIndices(parsed)
        if interpolation != nil && method != .prior {
            throw UsageError("'--interpolate' applies to 'prior' only")
        }
        try parsed.expectPositional(atMost: 1, command: "sample")
        guard let runName = try parsed.given(Options.run) else {
            throw UsageError(
                "'sample' needs '--run RUN' (a trained \(method.kinds.map(\.rawValue).joined(separator: "/")) run)")
        }
        let run = try resolveRunArgument(runName)
        let classRequest = try parsed.given(Options.sampleClass)
        let count = try parsed.value(
            Options.count, default: interpolation != nil ? 10 : classRequest == .all ? 8 : 64)
        if interpolation != nil { try CommandOption<Int>.check(count, in: IntegerRange(2...10_000), name: "n") }
        let seed = try parsed.value(Options.seed)
        if method == .ddpm && parsed.isGiven(Options.steps.name) {
            throw UsageError("'ddpm' takes all T steps of the schedule; use 'ddim --steps S' for fewer")
        }
        if method == .prior && parsed.isGiven(Options.steps.name) { throw UsageError("'prior' takes no '--steps'") }
        let steps = try parsed.value(Options.steps, default: method.defaultSteps)
        let eta = try parsed.value(Options.eta)
        let stepSize = try parsed.given(Options.step)
        let variance = try parsed.value(Options.variance)
        for (option, methods) in [
            (Options.eta.name, [Method.ddim]), (Options.variance.name, [.ddpm]),
            (Options.step.name, [.langevin, .annealedLangevin]), (Options.clip.name, [.ddpm, .ddim]),
            (Options.noEMA.name, [.ddpm, .ddim]), (Options.sampleClass.name, [.ddpm, .ddim, .prior]),
            (Options.guidance.name, [.ddpm, .ddim]), (Options.classifierGuidance.name, [.ddpm, .ddim]),
            (Options.scale.name, [.ddpm, .ddim]), (Options.latent.name, [.prior]),
        ] where parsed.isGiven(option) && !methods.contains(method) {
            throw UsageError(
                "option '--\(option)' applies to \(OptionHelp.alternatives(methods.map(\.rawValue))), not '\(method.rawValue)'"
            )
        }
        if parsed.has(Options.noScores),
            let option = [Options.classifier.name, Options.testLimit.name].first(where: parsed.isGiven)
        {
            throw UsageError("option '--\(option)' is for the scores; drop it or '--no-scores'")
        }
        if interpolation != nil && classRequest == .all {
            throw UsageError("'--interpolate' draws one walk: give one class ('--class K'), not 'all'")
        }
        let guidance = try parsed.value(Options.guidance)
        if parsed.isGiven(Options.guidance.name) && classRequest == nil {
            throw UsageError("option '--guidance' needs '--class K' (or 'all'): it steers the samples toward a class")
        }
        let guidanceClassifier = try parsed.given(Options.classifierGuidance).map {
            try resolveRunArgument($0, argument: "--classifier-guidance")
        }
        let scale = try parsed.value(Options.scale)
        if parsed.isGiven(Options.scale.name) && guidanceClassifier == nil {
            throw UsageError("option '--scale' needs '--classifier-guidance RUN': it scales the classifier's gradient")
        }
        if guidanceClassifier != nil && classRequest == nil {
            throw UsageError(
                "option '--classifier-guidance' needs '--class K' (or 'all'): it steers the samples toward a class")
        }
        let latentOverride = try parsed.given(Options.latent)
        let testLimit = try parsed.value(Options.testLimit)
        try CommandOption<Int>.check(testLimit, in: IntegerRange(2...), name: Options.testLimit.name)
        let classifierRun = try parsed.given(Options.classifier).map {
            try resolveRunArgument($0, argument: "--classifier")
        }
        try SharedOptions.applyThreads(parsed)
        if let out = try parsed.given(Options.out) {
            try checkOut(out)
        } else if let reason = OutputFolderError.unwritable(run.path) {
            // The grid goes into the run's folder: said before sampling, not after.
            throw RuntimeError("cannot write the samples into the run's folder: \(reason); give --out FILE.png")
        }
        let outPath =
            try parsed.given(Options.out)
            ?? run.file(interpolation == nil ? "samples-\(method.rawValue).png" : "interpolation-prior.png")
        let json = parsed.has(SharedOptions.json)
        let quiet = parsed.has(SharedOptions.quiet) || json

        var drawing = SampleDrawing(method: method, run: run, count: count, steps: steps, outPath: outPath)
        drawing.seed = seed
        drawing.options = SamplingOptions(
            stepSize: stepSize, eta: eta, variance: variance, clip: parsed.has(Options.clip))
        drawing.interpolation = interpolation
        drawing.latentOverride = latentOverride
        drawing.testLimit = testLimit
        drawing.scoring = !parsed.has(Options.noScores)
        drawing.scoringRun = classifierRun
        drawing.useWeightAverage = !parsed.has(Options.noEMA)
        drawing.classRequest = classRequest
        drawing.guidance = guidance
        drawing.guidanceClassifierRun = guidanceClassifier
        drawing.classifierScale = scale
        let progress = ProgressReporter(label: "sample \(method.rawValue)", quiet: quiet)
        InterruptNote.set("interrupted: sampling did not finish; \(outPath) was not written")
        let result: SampleDrawing.Result
        do {
            result = try drawing.draw(
                progress: { s in
                    progress.update(
                        done: s.progress.done, total: s.progress.total,
                        detail: String(format: "noise %.3f  score %.3g", s.noiseLevel, s.scoreNorm))
                },
                // Notes go to stderr with --json too (as attack's and defend's): only --quiet leaves them out.
                note: { if !parsed.has(SharedOptions.quiet) { printError($0) } },
                written: {
                    InterruptNote.set(
                        "interrupted while scoring: the samples are written to \(outPath), the scores were not computed"
                    )
                })
        } catch let error as SamplingRequestError {
            throw UsageError(error.description)
        } catch let error as MissingRun where !run.exists {
            // The sampled run is loaded as the samples are drawn: its error names the option that gave it.
            throw MissingRun("option '--\(Options.run.name)': \(error.description)")
        }
        let drawn = result.images.shape[0]
        var scores: JSONValue = .null
        // Why no FCD was computed (too few samples or test images for a covariance), or nil.
        let fcdNote = result.scores?.frechetNote
        if let s = result.scores {
            var fields: [String: JSONValue] = [
                "class_entropy": .number(s.classEntropy), "classes_covered": .integer(s.classesCovered),
                "fcd": s.frechetDistance.map { .number($0) } ?? .null, "mean_confidence": .number(s.meanConfidence),
                "histogram": .array(s.histogram.map { .integer($0) }),
            ]
            if let fcdNote { fields["fcd_note"] = .string(fcdNote) }
            scores = .object(fields)
        }
        if json {
            var object: [String: JSONValue] = [
                "method": .string(method.rawValue), "n": .integer(drawn), "seconds": .number(result.seconds),
                "run": .string(run.path), "out": .string(outPath), "scores": scores,
                "classifier": result.classifier.map { .string($0) } ?? .null,
                "weights": result.weights.map { .string($0) } ?? .null,
            ]
            if let classRequest {
                switch classRequest {
                case .one(let index): object["class"] = .integer(index)
                case .all: object["class"] = .string("all")
                }
                if method == .ddpm || method == .ddim { object["guidance"] = .number(guidance) }
                if let guidanceClassifier {
                    object["classifier_guidance"] = .string(guidanceClassifier.path)
                    object["scale"] = .number(scale)
                }
                object["class_accuracy"] = result.classAccuracy.map { .number($0) } ?? .null
                if let perClass = result.classAccuracyPerClass {
                    object["class_accuracy_per_class"] = .array(perClass.map { .number($0) })
                }
            }
            print(JSONValue.object(object).serialized())
        } else {
            var line = String(
                format: "%@: %@ in %.2f s, written to %@", method.rawValue, counted(drawn, "sample"), result.seconds,
                outPath)
            if let s = result.scores {
                line += String(
                    format: "; class entropy %.3f nats, %@ covered", s.classEntropy,
                    counted(s.classesCovered, "class", plural: "classes"))
                let scorer = result.classifier ?? ""
                line +=
                    s.frechetDistance.map { String(format: ", FCD %.3f (%@)", $0, scorer) }
                    ?? " (\(scorer)); no FCD: \(fcdNote ?? "")"
            }
            if let classRequest, let accuracy = result.classAccuracy {
                // Classifier-free guidance is named unless classifier guidance alone steers (as it must on
                // an unconditional run).
                let freeGuidance =
                    guidanceClassifier == nil || guidance > 0 ? [String(format: "at guidance %g", guidance)] : []
                let classifierGuidance =
                    guidanceClassifier.map { [String(format: "classifier guidance by %@ at scale %g", $0.path, scale)] }
                    ?? []
                let steering =
                    method == .prior ? "" : " " + (freeGuidance + classifierGuidance).joined(separator: ", ")
                line += String(
                    format: "; class %@%@: %.1f%% classified as asked", classRequest.text, steering, 100 * accuracy)
            }
            print(line)
        }
        return 0
    }

    /// Refuses, before anything is sampled, an `--out` that cannot be written: empty, a folder, a file below
    /// a file, or a file in a folder that does not exist or is not writable; or one that is there but is not a
    /// regular file (a device as /dev/null, a pipe, a link as /dev/stdout), which the PNG renamed into place
    /// would replace.
    static func checkOut(_ path: String) throws {
        guard !path.isEmpty else { throw UsageError("option '--out' is empty: give a file name (FILE.png)") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw UsageError("option '--out': '\(path)' is a folder; give a file name (FILE.png)")
        }
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            let kind: String
            switch status.st_mode & S_IFMT {
            case S_IFLNK: kind = "a symbolic link"
            case S_IFIFO: kind = "a pipe"
            case S_IFCHR, S_IFBLK: kind = "a device"
            case S_IFSOCK: kind = "a socket"
            default: kind = "not a regular file"
            }
            throw UsageError(
                "option '--out': '\(Sanitize.line(path, limit: 200))' is \(kind): the PNG is written to a new file"
                    + " renamed into place, which would replace it (give a file name, FILE.png)")
        }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let parent = folder.isEmpty ? "/" : folder
        if let file = OutputFolderError.fileInTheWay(of: parent) {
            throw UsageError("option '--out': '\(Sanitize.line(file, limit: 200))' is a file, not a folder")
        }
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw UsageError("option '--out': no such folder '\(parent)'")
        }
        if let reason = OutputFolderError.unwritable(parent, entry: "file") {
            throw UsageError("option '--out': \(reason)")
        }
    }
}
