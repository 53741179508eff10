import Base
import Foundation
import Models
import NeuralNet
import TensorCore

/// Any `Sampler` as a runner experiment: one step is one sampler update, so the workbench can play,
/// pause and single-step a chain and watch `x_t` and the predicted `x_0` side by side (MATH.md 7, 8).
///
/// StepReport metrics: `noise_level`, `score_norm`. Snapshot: `images["x_t"]` (the first 16 samples of
/// the current iterate in [0, 1]), `images["x0"]` (the predicted clean images, once a step has given
/// them), `figures` (method, step, t or level, noise level, score norm, step size for Langevin).
public final class SamplingExperiment: VisualExperiment {
    public let sampler: any Sampler
    public let method: String
    public let imageWidth: Int
    public let imageHeight: Int
    /// Images shown per group.
    public var shownCount = 16
    private let modelSpaceToUnit: (Float) -> Float

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
    }

    /// Loads the run's model and builds the sampler exactly as `manifold sample METHOD --run RUN` does.
    /// - Parameters:
    ///   - method: `prior`, `langevin`, `annealed-langevin`, `ddpm` or `ddim`.
    ///   - n: samples in the batch.
    ///   - steps: ddim's S, Langevin's steps per level; nil for the method's default (ddpm always takes T).
    /// - Throws: `RuntimeFault` for an unknown method, a run of the wrong kind or a missing run.
    public static func make(
        method: String, run: RunDirectory, n: Int, steps: Int? = nil, seed: UInt64 = 0,
        options: SamplingOptions = SamplingOptions()
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
                "run '\(run.path)' is a '\(kind.rawValue)' model; '\(method)' sampling needs a \(sampling.kinds.map(\.rawValue).joined(separator: ", ")) run"
            )
        }
        let pixels = config["pixels"]?.integerValue ?? 784
        let sampler = try SamplerFactory.make(
            method: sampling, model: model, pixels: pixels, count: n, steps: sampling == .ddpm ? nil : steps,
            seed: seed, options: options)
        let side = max(1, Int(Double(pixels).squareRoot()))
        return SamplingExperiment(
            sampler: sampler, method: method, imageWidth: side, imageHeight: pixels / side,
            modelSpaceToUnit: SamplerFactory.modelSpaceToUnit(sampling))
    }

    public var isFinished: Bool { sampler.isFinished }
    public var progress: (done: Int, total: Int) { sampler.progress }

    public func step() throws -> StepReport {
        do {
            try sampler.step()
        } catch let fault as ModelFault {
            throw RuntimeFault(fault.description)
        }
        return StepReport(metrics: ["noise_level": sampler.noiseLevel, "score_norm": sampler.scoreNorm])
    }

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
        figures.append(("noise level", String(format: "%.4f", sampler.noiseLevel)))
        figures.append(("score norm", String(format: "%.4g", sampler.scoreNorm)))
        snapshot.figures = figures
        let pixels = imageWidth * imageHeight
        if let group = pictures(sampler.x, pixels: pixels) { snapshot.images["x_t"] = group }
        if let x0 = sampler.predictedX0, let group = pictures(x0, pixels: pixels) { snapshot.images["x0"] = group }
    }

    /// The first `shownCount` rows of `t` as images, or nil when rows are not images (prior codes).
    private func pictures(_ t: Tensor, pixels: Int) -> [Snapshot.Image]? {
        guard t.rank == 2, t.shape[1] == pixels, pixels > 0 else { return nil }
        return (0..<min(t.shape[0], shownCount)).map { r in
            let base = t.data + r * pixels
            return Snapshot.Image(
                width: imageWidth, height: imageHeight, values: (0..<pixels).map { modelSpaceToUnit(base[$0]) })
        }
    }
}
