import Base
import Datasets
import Foundation
import Models
import NeuralNet
import TensorCore

/// The table of `manifold bench guidance`: what guidance strength buys and costs. Classifier-free
/// guidance (Ho & Salimans 2021, "Classifier-Free Diffusion Guidance") over its weight w on a
/// class-conditional DDPM run, and classifier guidance (Dhariwal & Nichol 2021, "Diffusion Models Beat
/// GANs on Image Synthesis", section 4) over its scale s on a DDPM run with each guiding classifier.
///
/// Every row is one `SampleDrawing` with `--class all`: `countPerClass` samples of each class, the run's
/// weight average, DDIM (clipped x0) or DDPM, and the same seed, so rows differ only by the guidance.
/// A separate, saved scoring classifier judges each row (MATH.md 11): the share of samples it assigns to
/// the class asked for (overall and per class), the Frechet distance of its penultimate features against
/// the run's test images (overall, and per class against the test images of that class), and the classes
/// it sees at all.
public struct GuidanceBenchmark {
    public enum Kind: String, Sendable {
        case classifierFree = "classifier-free"
        case classifier
    }

    /// One row to draw.
    public struct Cell: Sendable {
        public var kind: Kind
        public var run: RunDirectory
        /// The guiding classifier (classifier guidance); nil for classifier-free guidance.
        public var guide: RunDirectory?
        /// w (classifier-free) or s (classifier guidance).
        public var strength: Double

        /// w or s as the grid's name and the table give it: `%g` (2, 0.5, 10), or where that rounds it
        /// (1.0000001 to 1) all the digits that tell it apart.
        public var strengthText: String {
            let short = String(format: "%g", strength)
            return Double(short) == strength ? short : "\(strength)"
        }

        /// The row's PNG grid: `cfg-w2.png`, `clf-NAME-s10.png`, NAME the guide's run name as it is (a run
        /// name is one path component of letters, digits and `- _ + = . @`, `RunDirectory.validate`), so
        /// that two guides or two strengths never share a file.
        public var gridName: String {
            switch kind {
            case .classifierFree: return "cfg-w\(strengthText).png"
            case .classifier: return "clf-\(guide?.name ?? "guide")-s\(strengthText).png"
            }
        }
    }

    /// One row of the table.
    public struct Row: Sendable {
        public var cell: Cell
        public var classAccuracy: Double
        public var classAccuracyPerClass: [Double]
        /// The Frechet distance of the scorer's penultimate features, all samples against all test images
        /// (NaN with fewer than `SampleScores.minimumFrechetRows` on a side).
        public var frechetDistance: Double
        /// Per class k: samples drawn as k against test images of class k (NaN where either side has fewer
        /// than `SampleScores.minimumFrechetRows` rows: `--n 1`, or a class the test images (nearly) lack).
        public var frechetDistancePerClass: [Double]
        public var classesCovered: Int
        /// Sampling time of the row.
        public var seconds: Double
        /// `ema` or `live`: the weights sampled with.
        public var weights: String?
        /// Where the row's grid went, when it was written.
        public var gridPath: String?
    }

    /// What a run produced.
    public struct Report: Sendable {
        public var rows: [Row]
        /// Sampler steps per row: `steps` for DDIM, T for DDPM (of the first run).
        public var steps: Int
        /// Test images each row is compared against.
        public var testImages: Int
    }

    /// A class-conditional DDPM run (classifier-free guidance over `weights`), or nil.
    public var conditionalRun: RunDirectory?
    public var weights: [Double] = [0, 0.5, 1, 2, 4]
    /// A DDPM run guided by each of `guides` over `scales`, or nil.
    public var guidedRun: RunDirectory?
    public var guides: [RunDirectory] = []
    public var scales: [Double] = [0, 1, 10]
    /// The separate classifier run that scores every row.
    public var scorer: RunDirectory
    public var countPerClass = 10
    /// `.ddim` or `.ddpm`.
    public var method: SamplingMethod = .ddim
    /// DDIM steps (DDPM takes all T).
    public var steps = 100
    public var seed: UInt64 = 0
    /// Test images the Frechet distances compare against (the first ones of the run's dataset).
    public var testLimit = 2000
    /// A folder for one PNG grid per row (a row of samples per class), or nil for none. It holds this
    /// bench's grids alone: an earlier bench's grids there that this one does not draw are removed.
    public var outFolder: String?

    /// Removes from `folder` the grids an earlier bench drew there (regular files `cfg-w*.png`, `clf-*.png`)
    /// that are not in `keeping`, so that the folder does not read as one sweep over rows drawn with other
    /// settings; other files stay.
    static func removeEarlierGrids(in folder: String, keeping: Set<String>) throws {
        let failed = EarlierOutputFiles.remove(in: folder) { name in
            (name.hasPrefix("cfg-w") || name.hasPrefix("clf-")) && name.hasSuffix(".png") && !keeping.contains(name)
        }
        if let failed {
            throw RunError(
                "--out: cannot remove '\(Sanitize.line(failed.path, limit: 200))' of an earlier bench: \(failed.reason)"
            )
        }
    }

    public init(scorer: RunDirectory) { self.scorer = scorer }

    /// The rows in order: classifier-free guidance by weight, then each guide by scale.
    public var plan: [Cell] {
        var cells: [Cell] = []
        if let run = conditionalRun {
            cells += weights.map { Cell(kind: .classifierFree, run: run, guide: nil, strength: $0) }
        }
        if let run = guidedRun {
            for guide in guides {
                cells += scales.map { Cell(kind: .classifier, run: run, guide: guide, strength: $0) }
            }
        }
        return cells
    }

    /// A DDPM run checked for the benchmark.
    private struct CheckedRun {
        var config: [String: JSONValue]
        var pixels: Int
        var classCount: Int
        var stepCount: Int
    }

    /// The scorer's view of a run's test images: features `[m, F]` of the first ones and their labels.
    private struct Reference {
        var features: Tensor
        var labels: [Int]
        var classCount: Int
    }

    /// Checks every run, then draws and scores each row of `plan`, calling `progress` with the row's index
    /// and its sampler after each sampling step, and `note` with a line for each scorer or guide trained on
    /// data of other classes than the run it scores or guides (`RunDataComparison`).
    /// - Throws: `SamplingRequestError` (a usage error), before anything is drawn, for a missing run, a run
    ///   of the wrong kind (an unconditional run for classifier-free guidance, one trained with `p_uncond`
    ///   0 for w > 0), a scorer or guide that is not a classifier or whose pixel or class count differs
    ///   from the run's, more DDIM steps than T; other errors for unreadable runs, data and files.
    public func run(
        note: (String) -> Void = { _ in },
        progress: (_ row: Int, _ total: Int, _ sampler: any Sampler) -> Void = { _, _, _ in }
    ) throws -> Report {
        var checked: [String: CheckedRun] = [:]
        var scoring: Classifier?
        for (run, option) in [(conditionalRun, "--run"), (guidedRun, "--ddpm")] {
            guard let run, checked[run.path] == nil else { continue }
            let (checkedRun, scorerModel) = try check(run, option: option)
            checked[run.path] = checkedRun
            scoring = scoring ?? scorerModel
        }
        guard let scoring else { throw SamplingRequestError("'bench guidance' needs '--run RUN' or '--ddpm RUN'") }
        var guideModels: [(run: RunDirectory, model: Classifier)] = []
        if let run = guidedRun, let guided = checked[run.path] {
            for guide in guides {
                guideModels.append(
                    (
                        guide,
                        try SampleDrawing.checkedClassifier(
                            guide, option: "--guide", pixels: guided.pixels, classCount: guided.classCount)
                    ))
            }
        }
        for (run, option) in [(conditionalRun, "--run"), (guidedRun, "--ddpm")] {
            guard let run, let checkedRun = checked[run.path] else { continue }
            let own = RunDataComparison(config: checkedRun.config)
            let others = [(scorer, "'--classifier'")] + (option == "--ddpm" ? guides.map { ($0, "'--guide'") } : [])
            for (other, otherOption) in others {
                guard let data = RunDataComparison(run: other) else { continue }
                let role = "'\(option)' '\(Sanitize.line(run.name, limit: 80))'"
                if let line = own.note(option: otherOption, otherRun: other.name, other: data, role: role) {
                    note(line)
                }
            }
        }
        var references: [String: Reference] = [:]
        for (path, run) in checked {
            let dataset = try SampleDrawing.referenceData(config: run.config, pixels: run.pixels, testLimit: testLimit)
            // A scorer (or guide) whose outputs overflow would score argmax over NaN: refused as `sample
            // --classifier` refuses it.
            try NonFiniteOutputs.check(scoring, dataset: dataset, count: dataset.testCount, run: scorer)
            if path == guidedRun?.path {
                for guide in guideModels {
                    try NonFiniteOutputs.check(guide.model, dataset: dataset, count: dataset.testCount, run: guide.run)
                }
            }
            let images = Tensor(shape: [dataset.testCount, run.pixels], scalars: dataset.testImages)
            references[path] = Reference(
                features: SampleScores.penultimate(scoring, images).features, labels: dataset.testLabels,
                classCount: run.classCount)
        }
        if let outFolder {
            do {
                try TemporaryFiles.shared.makeFolders(outFolder) {
                    try FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: true)
                }
            } catch {
                throw OutputFolderCreationError(path: outFolder, underlying: error)
            }
            try Self.removeEarlierGrids(in: outFolder, keeping: Set(plan.map(\.gridName)))
        }
        let cells = plan
        var rows: [Row] = []
        for (index, cell) in cells.enumerated() {
            guard let reference = references[cell.run.path] else { preconditionFailure("every run is checked") }
            let gridPath = outFolder.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + cell.gridName }
            var drawing = SampleDrawing(
                method: method, run: cell.run, count: countPerClass, steps: steps, outPath: gridPath)
            drawing.seed = seed
            drawing.options = SamplingOptions(clip: true)
            drawing.scoring = false
            drawing.useWeightAverage = true
            drawing.classRequest = .all
            switch cell.kind {
            case .classifierFree: drawing.guidance = cell.strength
            case .classifier:
                drawing.guidanceClassifierRun = cell.guide
                drawing.classifierScale = cell.strength
            }
            let result = try drawing.draw(progress: { progress(index, cells.count, $0) })
            guard let requested = result.requestedClasses else { preconditionFailure("--class all requests classes") }
            let (features, logits) = SampleScores.penultimate(scoring, result.images)
            let scores = SampleScores.evaluate(
                features: features, logits: logits, referenceFeatures: reference.features)
            let dimension = features.shape[1]
            rows.append(
                Row(
                    cell: cell, classAccuracy: scores.classAccuracy(requested: requested),
                    classAccuracyPerClass: scores.classAccuracyPerClass(
                        requested: requested, classCount: reference.classCount),
                    frechetDistance: scores.frechetDistance ?? .nan,
                    frechetDistancePerClass: SampleScores.perClassFrechetDistance(
                        features.scalars.map(Double.init), labels: requested,
                        reference: reference.features.scalars.map(Double.init), referenceLabels: reference.labels,
                        classCount: reference.classCount,
                        dimension: dimension),
                    classesCovered: scores.classesCovered, seconds: result.seconds, weights: result.weights,
                    gridPath: gridPath))
        }
        let first = cells.first.map(\.run.path)
        return Report(
            rows: rows, steps: method == .ddpm ? first.flatMap { checked[$0]?.stepCount } ?? 0 : steps,
            testImages: first.flatMap { references[$0]?.labels.count } ?? 0)
    }

    /// Checks `run` (named by command-line `option`) and the scorer against it.
    private func check(_ run: RunDirectory, option: String) throws -> (CheckedRun, Classifier) {
        guard run.exists else {
            throw SamplingRequestError(
                "option '\(option)': no run folder '\(Sanitize.line(run.path))'\(run.nameHint) (see 'manifold runs')")
        }
        let modelName = try run.readConfig()["model"]?.stringValue ?? ""
        guard modelName == GenerativeKind.ddpm.rawValue else {
            let message = RunKindMismatch.message(
                run: run.name, model: modelName, isNot: "a diffusion model", kinds: [GenerativeKind.ddpm.rawValue])
            throw SamplingRequestError("option '\(option)': \(message)")
        }
        let (_, _, config, model) = try GenerativeFactory.load(run: run)
        guard let ddpm = model as? DDPM else { preconditionFailure("a ddpm run loads a DDPM") }
        let conditional = ((model as? any ClassConditionalModel)?.classCount ?? 0) > 0
        if option == "--run" {
            guard conditional else {
                throw SamplingRequestError(
                    "option '--run': '\(Sanitize.line(run.path))' is an unconditional ddpm run; classifier-free guidance needs one trained with --net unet --conditional (for classifier guidance pass it as --ddpm with --guide)"
                )
            }
            if ddpm.unconditionalProbability == 0 && weights.contains(where: { $0 > 0 }) {
                throw SamplingRequestError(
                    "option '--weights': '\(Sanitize.line(run.path))' was trained with p_uncond 0, so it has no unconditional prediction to guide by"
                )
            }
        }
        if method == .ddim && steps > ddpm.schedule.stepCount {
            throw SamplingRequestError(
                "option '--steps' must be at most T = \(ddpm.schedule.stepCount) of '\(Sanitize.line(run.path))'")
        }
        let pixels = config["pixels"]?.integerValue ?? 784
        let classCount = SampleDrawing.classCount(of: model, config: config)
        let scoring = try SampleDrawing.checkedClassifier(
            scorer, option: "--classifier", pixels: pixels, classCount: classCount)
        return (
            CheckedRun(config: config, pixels: pixels, classCount: classCount, stepCount: ddpm.schedule.stepCount),
            scoring
        )
    }
}

/// An `--out` folder that could not be created, with Foundation's error, so that the command line can say
/// why in words (a file in the way) rather than with Foundation's "NSCocoaErrorDomain error 512".
public struct OutputFolderCreationError: Error, CustomStringConvertible {
    public let path: String
    public let underlying: any Error

    public var description: String {
        "cannot create '\(Sanitize.line(path))': \(underlying.localizedDescription)"
    }
}
