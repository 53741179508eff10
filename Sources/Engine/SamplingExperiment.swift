import Base
import Foundation
import Models
import NeuralNet
import TensorCore

/// Any `Sampler` as a runner experiment: one step is one sampler update, so the workbench can play,
/// pause and single-step a chain and watch `x_t` and the predicted `x_0` side by side (MATH.md 7, 8).
///
/// A class-conditional DDPM, a conditional VAE or an unconditional DDPM with a guiding classifier run can
/// be steered (`steer`): the class (none, one, or a row per class) and the guidance strength; each
/// change restarts the chain from the same seed.
///
/// StepReport metrics: `noise_level`, `score_norm`. Snapshot: `series` `noise_level` and `score_norm` (per
/// step of the current chain: a restart starts them afresh), `images["x_t"]` (the first 16 samples of
/// the current iterate in [0, 1], when it is images; with a row per class, every sample, captioned with
/// its class), `images["x0"]` (the predicted clean images, once a step of this chain has given them),
/// `figures` (method, step, t
/// or level, noise level, score norm, step size for Langevin; when steered, class, guidance and
/// `per class`, the samples in each class's row).
public final class SamplingExperiment: VisualExperiment {
    public private(set) var sampler: any Sampler
    public let method: String
    public let imageWidth: Int
    public let imageHeight: Int
    /// Images shown per group (every sample with a row per class).
    public var shownCount = 16
    /// The class and guidance asked for; nil for a run that cannot be steered.
    public private(set) var steering: ClassSteering?
    private let source: SteeredSamplerSource?
    private let modelSpaceToUnit: (Float) -> Float
    /// The noise level and score norm of each step of the current chain (the runner's series would keep
    /// the steps of the chains before a restart).
    private var noiseLevels: [Double] = []
    private var scoreNorms: [Double] = []

    /// - Parameter modelSpaceToUnit: maps a value of the sampler's iterate to a pixel in [0, 1]
    ///   (diffusion: `(v + 1) / 2` clamped; see `SamplerFactory.modelSpaceToUnit`).
    public init(
        sampler: any Sampler, method: String, imageWidth: Int, imageHeight: Int,
        modelSpaceToUnit: @escaping (Float) -> Float
    ) {
        self.sampler = sampler
        self.method = method
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.modelSpaceToUnit = modelSpaceToUnit
        source = nil
    }

    /// A sampler of `model` that can be steered when the model allows it (see `ClassSteering`): a
    /// class-conditional DDPM starts with a row per class at w = 2, a conditional VAE with a row per class,
    /// an unconditional DDPM with `guides` with no class yet.
    /// - Parameters:
    ///   - n: samples in the batch (one class, or none); a row per class holds `min(4, n / 4)` of each.
    ///   - classNames: the run's classes, for the captions.
    ///   - guides: classifier runs that may guide an unconditional DDPM, the first used first.
    ///   - imageSize: the images' height and width (`RunImageSize`); nil for a square of `pixels`.
    /// - Throws: `RuntimeFault` when the sampler cannot be built.
    public init(
        model: any Module, method: SamplingMethod, pixels: Int, n: Int, steps: Int?, seed: UInt64,
        options: SamplingOptions, classNames: [String], guides: [RunDirectory] = [],
        imageSize: (height: Int, width: Int)? = nil
    ) throws {
        let source = SteeredSamplerSource(
            method: method, model: model, pixels: pixels, steps: steps, seed: seed, options: options, guides: guides)
        self.source = source
        steering = source.initialSteering(classNames: classNames, batch: n)
        sampler = try source.sampler(for: steering, count: n)
        self.method = method.rawValue
        let size = imageSize ?? RunImageSize.of(config: [:], pixels: pixels)
        (imageHeight, imageWidth) = (size.height, size.width)
        modelSpaceToUnit = SamplerFactory.modelSpaceToUnit(method)
    }

    /// Loads the run's model and builds the sampler exactly as `manifold sample METHOD --run RUN` does.
    /// - Parameters:
    ///   - method: `prior`, `langevin`, `annealed-langevin`, `ddpm` or `ddim`.
    ///   - n: samples in the batch.
    ///   - steps: ddim's S, Langevin's steps per level; nil for the method's default (ddpm always takes T).
    ///   - guides: classifier runs that may guide an unconditional DDPM run (classifier guidance), the
    ///     first used first; ignored for other runs.
    /// - Throws: `RuntimeFault` for an unknown method, a run of the wrong kind or a missing run.
    public static func make(
        method: String, run: RunDirectory, n: Int, steps: Int? = nil, seed: UInt64 = 0,
        options: SamplingOptions = SamplingOptions(), guides: [RunDirectory] = []
    ) throws -> SamplingExperiment {
        guard let sampling = SamplingMethod(rawValue: method) else {
            throw RuntimeFault(
                "unknown sampling method '\(Sanitize.line(method))' (known: \(SamplingMethod.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        guard n >= 1 else { throw RuntimeFault("sampling needs at least one sample") }
        let (kind, _, config, model) = try GenerativeFactory.load(run: run)
        guard sampling.kinds.contains(kind) else {
            throw RuntimeFault(
                RunKindMismatch.message(
                    run: run.path, model: kind.rawValue, isNot: "a model for '\(method)' sampling",
                    kinds: sampling.kinds.map(\.rawValue)))
        }
        let pixels = config["pixels"]?.integerValue ?? 784
        let classNames =
            config["class_names"]?.arrayValue?.compactMap(\.stringValue) ?? (0..<10).map { "class \($0)" }
        return try SamplingExperiment(
            model: model, method: sampling, pixels: pixels, n: n, steps: steps, seed: seed, options: options,
            classNames: classNames, guides: guides, imageSize: RunImageSize.of(config: config, pixels: pixels))
    }

    /// Asks for another class or guidance strength: a fresh chain from the same seed.
    /// - Throws: `RuntimeFault` for a run that cannot be steered or a sampler that cannot be built (the
    ///   old chain is kept), `RunError` for a guiding classifier that cannot be loaded.
    public func steer(_ next: ClassSteering) throws {
        guard let source, steering != nil else { throw RuntimeFault("this run cannot be steered to a class") }
        sampler = try source.sampler(for: next, count: next.sampleCount)
        steering = next
        noiseLevels = []
        scoreNorms = []
    }

    /// Keeps `strength` as the guidance for when a class is picked, without restarting the chain: with no
    /// class the samples do not depend on it. Does nothing when a class is picked (`steer` then).
    public func keepStrength(_ strength: Double) {
        guard var current = steering, current.classRequest == nil else { return }
        current.strength = strength
        steering = current
    }

    /// The steering with the next guiding classifier run among `available` (the classifier runs that can
    /// guide this one as they are now: the caller reads them again, so that a run deleted since is not
    /// offered), or nil when there is no other.
    public func nextGuide(among available: [RunDirectory]) -> ClassSteering? {
        steering.flatMap { source?.nextGuide(after: $0, among: available) }
    }

    public var isFinished: Bool { sampler.isFinished }
    public var progress: (done: Int, total: Int) { sampler.progress }

    public func step() throws -> StepReport {
        do {
            try sampler.step()
        } catch let fault as ModelFault {
            throw RuntimeFault(fault.description)
        }
        noiseLevels.append(sampler.noiseLevel)
        scoreNorms.append(sampler.scoreNorm)
        return StepReport(metrics: ["noise_level": sampler.noiseLevel, "score_norm": sampler.scoreNorm])
    }

    /// Whether the sampler walks a noise schedule (Langevin, DDPM, DDIM) whose noise level and score norm per
    /// step mean something; a prior sampler (VAE, AAE, WAE) has neither.
    public var hasNoiseSchedule: Bool { method != "prior" }

    /// The diffusion step `t` (1-based) of the current iterate, or nil for other samplers.
    public var diffusionTime: Int? {
        if let ddpm = sampler as? DDPMSampler { return ddpm.timestep + 1 }
        if let ddim = sampler as? DDIMSampler { return ddim.position >= 0 ? ddim.timesteps[ddim.position] + 1 : 0 }
        return nil
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let (done, total) = sampler.progress
        var figures: [(name: String, value: String)] = [("method", method), ("step", "\(done)/\(total)")]
        if let t = diffusionTime { figures.append(("t", "\(t)")) }
        if let langevin = sampler as? LangevinSampler {
            let level = min(langevin.stepsTaken / langevin.stepsPerLevel, langevin.ladder.count - 1)
            figures.append(("level", "\(level + 1)/\(langevin.ladder.count)"))
            figures.append(("step size", String(format: "%.3g", Double(langevin.stepSize))))
        }
        // A prior sampler decodes a draw of the prior in one step: it has no noise level and no score, and showed 0 for both.
        if hasNoiseSchedule {
            figures.append(("noise level", String(format: "%.4f", sampler.noiseLevel)))
            figures.append(("score norm", String(format: "%.4g", sampler.scoreNorm)))
        }
        if let steering {
            figures.append(("class", steering.classLabel))
            figures.append(("guidance", steering.guidanceLabel))
            if steering.classRequest == .all { figures.append(("per class", "\(steering.perClass)")) }
        }
        snapshot.figures = figures
        snapshot.series["noise_level"] = noiseLevels
        snapshot.series["score_norm"] = scoreNorms
        let pixels = imageWidth * imageHeight
        snapshot.images["x_t"] = pictures(sampler.x, pixels: pixels)
        snapshot.images["x0"] = sampler.predictedX0.flatMap { pictures($0, pixels: pixels) }
    }

    /// The first `shownCount` rows of `t` (every row with a row per class) as images, captioned with
    /// their class when steered to one, or nil when rows are not images (prior codes).
    private func pictures(_ t: Tensor, pixels: Int) -> [Snapshot.Image]? {
        guard t.rank == 2, t.shape[1] == pixels, pixels > 0 else { return nil }
        let labels = steering?.labels
        let names = steering?.classNames ?? []
        let shown = steering?.classRequest == .all ? t.shape[0] : min(t.shape[0], shownCount)
        return (0..<shown).map { r in
            let base = t.data + r * pixels
            let caption = labels.map { $0[r] < names.count ? names[$0[r]] : "\($0[r])" } ?? ""
            return Snapshot.Image(
                width: imageWidth, height: imageHeight, values: (0..<pixels).map { modelSpaceToUnit(base[$0]) },
                caption: caption)
        }
    }
}
