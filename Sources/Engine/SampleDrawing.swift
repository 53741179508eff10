import Base
import Datasets
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// `manifold sample`'s work: draws samples from a trained generative run with a step-machine sampler,
/// writes a PNG grid (atomically) and scores the samples with a classifier (MATH.md 11).
///
/// Scores need a classifier: `scoringRun` names a saved mlp/cnn run; without it a small MLP is trained on
/// the spot (2 epochs on up to 10,000 training images of the run's dataset, a few seconds), reported as
/// `quick-mlp`.
public struct SampleDrawing {
    public var method: SamplingMethod
    public var run: RunDirectory
    public var count: Int
    public var steps: Int
    public var seed: UInt64
    public var options: SamplingOptions
    /// `prior` only: decode a walk between the codes of these two test images.
    public var interpolation: (Int, Int)?
    /// The code size, for a run whose config.json lacks it.
    public var latentOverride: Int?
    /// Test images the scores compare against.
    public var testLimit: Int
    public var scoring: Bool
    public var scoringRun: RunDirectory?
    /// ddpm, ddim: sample with the run's weight average (when it has one) instead of the live weights.
    public var useWeightAverage: Bool
    /// Where the PNG grid goes; nil writes none (`bench guidance` without `--out`).
    public var outPath: String?
    /// ddpm, ddim on a class-conditional DDPM run, prior on a conditional VAE run: the class to draw
    /// (`count` samples, or `count` of each class in rows for `.all`); nil draws without a label (a
    /// conditional VAE needs one).
    public var classRequest: ClassRequest?
    /// Classifier-free guidance strength `w` (Ho & Salimans 2021) with `classRequest`; 0 is the plain
    /// conditional model.
    public var guidance = 0.0
    /// ddpm, ddim: classifier guidance (Dhariwal & Nichol 2021) toward `classRequest` by this saved mlp/cnn
    /// run, on an unconditional or a conditional DDPM run; nil samples without it.
    public var guidanceClassifierRun: RunDirectory?
    /// The classifier guidance scale `s` (with `guidanceClassifierRun`).
    public var classifierScale = 1.0

    public init(method: SamplingMethod, run: RunDirectory, count: Int, steps: Int, outPath: String?) {
        (self.method, self.run, self.count, self.steps, self.outPath) = (method, run, count, steps, outPath)
        seed = 0
        options = SamplingOptions()
        testLimit = 2000
        scoring = true
        useWeightAverage = true
    }

    /// What a drawing produced.
    public struct Result {
        /// `[count, pixels]`, values in [0, 1].
        public let images: Tensor
        public let seconds: Double
        public let scores: SampleScores?
        /// The scoring classifier: a run's path or `quick-mlp`.
        public let classifier: String?
        /// ddpm, ddim: `ema` or `live`.
        public let weights: String?
        /// With `classRequest`: the class asked for, per sample.
        public var requestedClasses: [Int]? = nil
        /// With `classRequest` and scores: the share of samples the classifier assigns to the class asked for.
        public var classAccuracy: Double? = nil
        /// With `ClassRequest.all` and scores: that share per class.
        public var classAccuracyPerClass: [Double]? = nil
    }

    /// The run's model with `latentOverride`, which is for a config.json without the code size: one that
    /// names another size, or a checkpoint that does not fit it, is a `SamplingRequestError` naming the option.
    private func loadRun() throws -> (
        kind: GenerativeKind, settings: GenerativeSettings, config: [String: JSONValue], model: any Module
    ) {
        guard let latentOverride else { return try GenerativeFactory.load(run: run) }
        let option = "'--latent \(latentOverride)'"
        if let config = try? run.readConfig(), let saved = config["latent"]?.integerValue, saved >= 1,
            saved != latentOverride
        {
            // A conditional VAE's class joins the code on its own ('--class K'): it is not part of the size.
            let conditional = config["conditional"]?.boolValue == true ? " (the class is not part of it)" : ""
            throw SamplingRequestError(
                "\(option) does not match run '\(run.path)': its config.json gives the code size \(saved)"
                    + "\(conditional); drop '--latent', which is for a run whose config.json lacks the size")
        }
        do {
            return try GenerativeFactory.load(run: run, latentOverride: latentOverride)
        } catch let error as CheckpointError {
            throw SamplingRequestError("\(option) does not fit the run's checkpoint: \(error)")
        }
    }

    /// Refuses a run of `kind` that the method does not sample (`RunKindMismatch`, a usage error).
    private func checkKind(_ kind: GenerativeKind) throws {
        guard !method.kinds.contains(kind) else { return }
        throw RunKindMismatch(
            RunKindMismatch.message(
                run: run.path, model: kind.rawValue, isNot: "a model for '\(method.rawValue)' sampling",
                kinds: method.kinds.map(\.rawValue)))
    }

    /// Loads the run, samples, writes the grid and scores. `progress` sees the sampler after each step;
    /// `note` gets one-line remarks for stderr (the quick MLP); `written` is called once the grid is in
    /// place, before the scoring.
    /// - Throws: `SamplingRequestError` for a request the run cannot satisfy (an interpolation index
    ///   outside the test set, more DDIM steps than T, a class on an unconditional run or outside the
    ///   run's classes), other errors for runs, data and files.
    public func draw(
        progress: (any Sampler) -> Void = { _ in }, note: (String) -> Void = { _ in }, written: () -> Void = {}
    ) throws -> Result {
        // The kind, from config.json, before the weights: a VAE run given to 'ddim' is the wrong run
        // whether or not its checkpoint reads (a damaged one said only that, after loading).
        let named = (try? run.readConfig())?["model"]?.stringValue.flatMap(GenerativeKind.init(rawValue:))
        if let named { try checkKind(named) }
        let (kind, _, config, model) = try loadRun()
        try checkKind(kind)
        let pixels = config["pixels"]?.integerValue ?? 784
        let imageSize = RunImageSize.of(config: config, pixels: pixels)
        let dataset = interpolation != nil || scoring ? try referenceData(config: config, pixels: pixels) : nil
        var codes: Tensor?
        if method == .prior, let (a, b) = interpolation, let (encode, _, latent) = SamplerFactory.latentFunctions(model)
        {
            guard let dataset else { preconditionFailure("interpolation loads the test images") }
            let pair = noGrad {
                encode(Tensor(shape: [2, pixels], scalars: Array(dataset.testImage(a)) + Array(dataset.testImage(b))))
            }
            codes = PriorSampler.interpolation(
                from: Array(pair.scalars[0..<latent]), to: Array(pair.scalars[latent..<(2 * latent)]), count: count)
        }
        if method == .ddim, let ddpm = model as? DDPM, steps > ddpm.schedule.stepCount {
            throw SamplingRequestError("'--steps' for ddim must be at most T = \(ddpm.schedule.stepCount)")
        }
        let classCount = Self.classCount(of: model, config: config)
        let classes = try requestedClasses(model, classCount: classCount)
        let conditional = ((model as? any ClassConditionalModel)?.classCount ?? 0) > 0
        let sampleCount = classes?.count ?? count
        // A saved scorer is checked against the run's images and classes before anything is drawn.
        var savedScorer: Classifier?
        if scoring, let scoringRun {
            savedScorer = try Self.checkedClassifier(
                scoringRun, option: "--classifier", pixels: pixels, classCount: dataset?.classCount ?? classCount,
                sampled: kind.rawValue, size: imageSize)
            if let savedScorer, let dataset {
                try NonFiniteOutputs.check(
                    savedScorer, dataset: dataset, count: min(testLimit, dataset.testCount), run: scoringRun)
            }
        }
        let classifierGuidance = try guidanceClassifier(
            pixels: pixels, classCount: classCount, size: imageSize
        ).map { classifier in
            ClassifierGuidance.fromClassifier(classifier, labels: classes ?? [], scale: classifierScale)
        }
        // A scorer or guide trained on other data (its class names differ) fits but names other classes.
        let ownData = RunDataComparison(config: config)
        for (other, option) in [
            (scoring ? scoringRun : nil, "'--classifier'"), (guidanceClassifierRun, "'--classifier-guidance'"),
        ] {
            guard let other, let otherData = RunDataComparison(run: other) else { continue }
            if let line = ownData.note(
                option: option, otherRun: other.name, other: otherData,
                role: "run '\(Sanitize.line(run.name, limit: 80))'")
            {
                note(line)
            }
        }
        var weights: String?
        if let ddpm = model as? DDPM {
            ddpm.samplesWithAverage = useWeightAverage
            weights = ddpm.samplesWithAverage && !ddpm.averagedParameters.isEmpty ? "ema" : "live"
        }
        let sampler = try SamplerFactory.make(
            method: method, model: model, pixels: pixels, count: sampleCount, steps: steps, seed: seed,
            options: options, codes: codes, classes: conditional ? classes : nil, guidance: guidance,
            classifierGuidance: classifierGuidance)
        let start = Date()
        do {
            try sampler.run { progress($0) }
        } catch let fault as ModelFault {
            throw RunError(fault.description + "; nothing written")
        }
        let seconds = Date().timeIntervalSince(start)
        let images = sampler.images
        if let outPath {
            try writeGrid(
                images, size: imageSize, count: sampleCount,
                columns: interpolation != nil || classRequest == .all ? count : nil, to: outPath)
            written()
        }
        guard scoring, let dataset else {
            var result = Result(images: images, seconds: seconds, scores: nil, classifier: nil, weights: weights)
            result.requestedClasses = classes
            return result
        }
        let (classifier, name) =
            try savedScorer.map { ($0, scoringRun?.path ?? "") } ?? quickClassifier(dataset: dataset, note: note)
        // The first --test-limit test images: an interpolation may have loaded more, up to its later index.
        let referenceCount = min(testLimit, dataset.testCount)
        let reference = Tensor(
            shape: [referenceCount, pixels], scalars: Array(dataset.testImages[0..<(referenceCount * pixels)]))
        let scores = SampleScores.evaluate(classifier: classifier, images: images, reference: reference)
        var result = Result(images: images, seconds: seconds, scores: scores, classifier: name, weights: weights)
        if let labels = classes {
            result.requestedClasses = labels
            result.classAccuracy = scores.classAccuracy(requested: labels)
            if classRequest == .all {
                result.classAccuracyPerClass = scores.classAccuracyPerClass(
                    requested: labels, classCount: labels.count / max(count, 1))
            }
        }
        return result
    }

    /// The classes of the run's dataset: the conditional model's, else `class_names` in config.json
    /// (10 when it has none).
    static func classCount(of model: any Module, config: [String: JSONValue]) -> Int {
        let conditional = (model as? any ClassConditionalModel)?.classCount ?? 0
        return conditional > 0 ? conditional : config["class_names"]?.arrayValue?.count ?? 10
    }

    /// The class of each sample that `classRequest` asks of `model` (nil: none asked).
    /// - Throws: `SamplingRequestError` for a class on an unconditional run without classifier guidance,
    ///   a class outside the run's classes, classifier-free guidance without a class, on an
    ///   unconditional run or against a run trained without dropped labels (`p_uncond` 0), classifier
    ///   guidance without a class, or a conditional VAE without a class.
    private func requestedClasses(_ model: any Module, classCount runClasses: Int) throws -> [Int]? {
        let classCount = (model as? any ClassConditionalModel)?.classCount ?? 0
        guard let classRequest else {
            if guidance > 0 { throw SamplingRequestError("option '--guidance' needs '--class K' (or 'all')") }
            if guidanceClassifierRun != nil {
                throw SamplingRequestError(
                    "option '--classifier-guidance' needs '--class K' (or 'all'): the class to steer toward")
            }
            if classCount > 0 && model is VariationalAutoencoder {
                // A walk between two images takes one class; 'all' is for samples.
                let pass =
                    interpolation == nil ? "pass '--class K' (or 'all') to sample it" : "pass '--class K' to walk"
                throw SamplingRequestError("'\(Sanitize.line(run.path))' is a conditional vae: \(pass)")
            }
            return nil
        }
        if classCount == 0 && guidanceClassifierRun != nil && model is DDPM {
            if guidance > 0 {
                throw SamplingRequestError(
                    "option '--guidance' (classifier-free guidance) needs a class-conditional run; '\(Sanitize.line(run.path))' is unconditional, so only '--classifier-guidance' can steer it"
                )
            }
            return try classRequest.labels(count: count, classCount: runClasses)
        }
        guard classCount > 0 else {
            throw SamplingRequestError(
                "option '--class' needs a class-conditional run (train ddpm --net unet --conditional, or train vae --conditional) or, for ddpm and ddim, '--classifier-guidance RUN'; '\(Sanitize.line(run.path))' is unconditional"
            )
        }
        if let ddpm = model as? DDPM, guidance > 0 && ddpm.unconditionalProbability == 0 {
            throw SamplingRequestError(
                "option '--guidance': the run was trained with p_uncond 0, so it has no unconditional prediction to guide by"
            )
        }
        return try classRequest.labels(count: count, classCount: classCount)
    }

    /// The classifier of `guidanceClassifierRun` (nil without one), checked against the DDPM run: the same
    /// number of pixels and of classes.
    /// - Throws: `SamplingRequestError` for a missing run, a run that is not a classifier, or a
    ///   mismatch; `RunError` for an unreadable config or checkpoint.
    private func guidanceClassifier(pixels: Int, classCount: Int, size: (height: Int, width: Int)) throws
        -> Classifier?
    {
        guard let guide = guidanceClassifierRun else { return nil }
        return try Self.checkedClassifier(
            guide, option: "--classifier-guidance", pixels: pixels, classCount: classCount, size: size)
    }

    /// The classifier of run `guide`, checked against a sampled run's images: the same number of pixels and
    /// of classes (the guiding classifier and the scorer of `sample`, the guides and the scorer of `bench
    /// guidance`).
    /// - Parameters:
    ///   - sampled: the kind of the sampled run, as the messages name it.
    ///   - size: the sampled run's image height and width, when known: a classifier of 20x28 images does
    ///     not read samples of 28x20 ones, though both have 560 pixels.
    /// - Throws: `SamplingRequestError` naming `option` for a missing run, a run that is not a classifier,
    ///   or a mismatch; `RunError` for an unreadable config or checkpoint.
    static func checkedClassifier(
        _ guide: RunDirectory, option name: String, pixels: Int, classCount: Int, sampled: String = "ddpm",
        size: (height: Int, width: Int)? = nil
    ) throws -> Classifier {
        let option = "option '\(name)'"
        guard guide.exists else {
            throw SamplingRequestError(
                "\(option): no run folder '\(Sanitize.line(guide.path))'\(guide.nameHint) (see 'manifold runs')")
        }
        let config = try guide.readConfig()
        let modelName = config["model"]?.stringValue ?? ""
        guard Classifier.Kind(rawValue: modelName) != nil else {
            throw SamplingRequestError(
                "\(option): " + RunKindMismatch.classifierMessage(run: guide.name, model: modelName))
        }
        let height = config["image_height"]?.integerValue ?? 28
        let width = config["image_width"]?.integerValue ?? 28
        guard height * width == pixels else {
            throw SamplingRequestError(
                "\(option): the classifier reads \(height)x\(width) images (\(height * width) pixels), the \(sampled) run's images have \(pixels) pixels"
            )
        }
        if let size, size.height != height || size.width != width {
            throw SamplingRequestError(
                "\(option): the classifier reads \(height)x\(width) images, the \(sampled) run's images are \(size.height)x\(size.width)"
            )
        }
        let classes = config["class_names"]?.arrayValue?.count ?? 10
        guard classes == classCount else {
            throw SamplingRequestError(
                "\(option): the classifier has \(classes) classes, the \(sampled) run's dataset \(classCount)")
        }
        return try LoadedClassifierRun.load(run: guide, option: name).model
    }

    /// The run's dataset, cut to 10,000 training images and the test images the scores and the
    /// interpolation need.
    func referenceData(config: [String: JSONValue], pixels: Int) throws -> Dataset {
        try Self.referenceData(config: config, pixels: pixels, testLimit: testLimit, interpolation: interpolation)
    }

    /// The dataset of a run's `config`, cut to 10,000 training images and the first `testLimit` test images
    /// (more when `interpolation` names a later one): what samples are scored against.
    static func referenceData(
        config: [String: JSONValue], pixels: Int, testLimit: Int, interpolation: (Int, Int)? = nil
    ) throws -> Dataset {
        let dataSpec = config["data"]?.stringValue ?? "synthetic"
        let dataSeed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
        let loaded = try DatasetLoader.load(dataSpec, seed: dataSeed)
        guard loaded.pixelCount == pixels else {
            throw RunError("dataset '\(dataSpec)' has \(loaded.pixelCount) pixels per image, the run \(pixels)")
        }
        if let interpolation {
            for (label, index) in [("A", interpolation.0), ("B", interpolation.1)]
            where !(0..<loaded.testCount).contains(index) {
                throw SamplingRequestError(
                    "option '--interpolate': index \(label) is \(index), but the test images of '\(loaded.name)' are numbered 0 to \(loaded.testCount - 1)"
                )
            }
        }
        return loaded.subset(
            train: min(loaded.trainCount, 10_000),
            test: min(loaded.testCount, max(testLimit, (interpolation.map { max($0.0, $0.1) } ?? 0) + 1)))
    }

    /// The samples as a PNG grid (square, or `columns` wide: one row for an interpolation, a row per
    /// class for `--class all`), written atomically.
    private func writeGrid(
        _ images: Tensor, size: (height: Int, width: Int), count: Int, columns: Int?, to outPath: String
    ) throws {
        let pixels = size.height * size.width
        // One copy of the pixels, sliced per tile (`scalars` copies the whole tensor each time it is read: per
        // tile that made a grid of 10,000 samples take 25 s).
        let scalars = images.scalars
        let tiles = (0..<count).map { Array(scalars[($0 * pixels)..<(($0 + 1) * pixels)]) }
        let columns = columns ?? max(1, Int(Double(count).squareRoot().rounded(.up)))
        let grid = PNGWriter.grid(images: tiles, tileWidth: size.width, tileHeight: size.height, columns: columns)
        do {
            try FileIO.writeAtomically(
                PNGWriter.encodeGray(width: grid.width, height: grid.height, values: grid.values), path: outPath)
        } catch {
            // The error names the file (`FileIO`'s errors start with the path).
            throw RunError("--out: \(error)")
        }
    }

    /// The classifier that scores samples without a saved run (`scoringRun`, checked and loaded before
    /// sampling): a quick MLP trained now.
    private func quickClassifier(dataset: Dataset, note: (String) -> Void) throws -> (Classifier, String) {
        var generator = RandomGenerator(seed: 1)
        let classifier = Classifier(
            kind: .mlp, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
            classCount: dataset.classCount, generator: &generator)
        let training = ClassifierTraining(
            model: classifier, dataset: dataset, batchSize: 128, learningRate: 1e-3, epochs: 2, seed: 1)
        while !training.isFinished { _ = try training.step() }
        note(
            "note: scores use a quick MLP (2 epochs on \(dataset.trainCount) training images); pass --classifier RUN for a saved one"
        )
        return (classifier, "quick-mlp")
    }
}

/// A sampling request the run cannot satisfy as asked (a usage error: the command line exits 2).
public struct SamplingRequestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
