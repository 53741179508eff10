import Foundation
import TensorCore

/// Ancestral DDPM sampling (Ho et al. 2020, algorithm 2; MATH.md section 8): `x_T ~ N(0, I)`, then for
/// `t = T..1`
/// `x_{t-1} = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - alphaBar_t) eps_theta(x_t, t)) + sigma_t z`,
/// `z = 0` at `t = 1`, with `sigma_t^2 = beta_t` or the posterior variance
/// `beta_t (1 - alphaBar_{t-1}) / (1 - alphaBar_t)`.
///
/// With `clip`, the predicted `x_0_hat = (x_t - sqrt(1 - alphaBar_t) eps) / sqrt(alphaBar_t)` is clipped
/// to [-1, 1] and the step uses the posterior mean `c0 x_0_hat + ct x_t` (the same mean when unclipped).
///
/// With `classifierGuidance` (Dhariwal & Nichol 2021, Algorithm 1) the mean is shifted by
/// `s sigma_t^2 grad_{x_t} log p(k | x_t)`, where `sigma_t^2` is the step's variance (`beta_t` or the
/// posterior variance, by the same formula at every step, including the last, which adds no noise).
public final class DDPMSampler: Sampler {
    public enum Variance: String, CaseIterable, Sendable { case beta, posterior }

    public let schedule: DiffusionSchedule
    public let variance: Variance
    public let clip: Bool
    public private(set) var x: Tensor
    public private(set) var predictedX0: Tensor?
    public private(set) var scoreNorm = 0.0
    /// The step index (0-based, `t - 1`) the next `step()` takes; -1 when finished.
    public private(set) var timestep: Int
    /// Classifier guidance (Dhariwal & Nichol 2021, Algorithm 1); nil samples unguided.
    public var classifierGuidance: ClassifierGuidance?
    private let predictNoise: (Tensor, [Int]) -> Tensor
    private var generator: RandomGenerator
    /// This step's `z ~ N(0, I)`.
    private var noise = Tensor(zeros: [0])

    /// - Parameter predictNoise: `eps_theta(x_t, t)` for `[n, pixels]` and one 0-based step per row.
    public init(
        count: Int, pixels: Int, schedule: DiffusionSchedule, variance: Variance = .beta, clip: Bool = false,
        seed: UInt64,
        predictNoise: @escaping (Tensor, [Int]) -> Tensor
    ) {
        self.schedule = schedule
        self.variance = variance
        self.clip = clip
        self.predictNoise = predictNoise
        generator = RandomGenerator(seed: seed)
        x = Tensor(zeros: [count, pixels])
        generator.fillGaussian(x.data, count: x.count)
        timestep = schedule.stepCount - 1
    }

    public var isFinished: Bool { timestep < 0 }
    public var progress: (done: Int, total: Int) { (schedule.stepCount - 1 - timestep, schedule.stepCount) }
    public var noiseLevel: Double { (1 - schedule.alphaBars[max(timestep, 0)]).squareRoot() }

    public func step() throws {
        precondition(!isFinished, "step() after the last step")
        let t = timestep
        let eps = noGrad { predictNoise(x, [Int](repeating: t, count: x.shape[0])) }
        let guidanceGradient = classifierGuidance.map { $0.gradient(x) }
        scoreNorm = SamplerMath.meanRowNorm(eps)
        let alphaBar = schedule.alphaBars[t]
        let beta = schedule.betas[t]
        let sigma = t > 0 ? Float(stepVariance(t).squareRoot()) : 0
        let (c0, ct) = schedule.posteriorMeanCoefficients(t)
        let count = x.count
        if sigma > 0 {
            if noise.count != count { noise = Tensor(zeros: x.shape) }
            generator.fillGaussian(noise.data, count: count)
        }
        let update = DiffusionUpdate(
            sqrtOneMinusAlphaBar: Float((1 - alphaBar).squareRoot()),
            inverseSqrtAlphaBar: Float(1 / alphaBar.squareRoot()),
            clip: clip, c0: Float(c0), ct: Float(ct), inverseSqrtAlpha: Float(1 / schedule.alphas[t].squareRoot()),
            noiseCoefficient: Float(beta / (1 - alphaBar).squareRoot()), sigma: sigma)
        let x0 = Tensor(zeros: x.shape)
        let next = Tensor(zeros: x.shape)
        let bounded = update.ancestral(
            x: x.data, eps: eps.data, noise: sigma > 0 ? UnsafePointer(noise.data) : nil, predicted: x0.data,
            next: next.data, count: count)
        if !bounded { throw ModelFault("DDPM sampling diverged at t = \(t + 1): values became non-finite") }
        if let classifierGuidance, let guidanceGradient {
            classifierGuidance.shiftMean(
                next.data, gradient: guidanceGradient.data, count: count, variance: stepVariance(t))
            try SamplerMath.checkBounded(
                next, "DDPM sampling diverged at t = \(t + 1) under classifier guidance: values became non-finite")
        }
        x = next
        predictedX0 = x0
        timestep -= 1
    }

    /// `sigma_t^2` of step index `t`: `beta_t` or the posterior variance.
    public func stepVariance(_ t: Int) -> Double {
        variance == .beta ? schedule.betas[t] : schedule.posteriorVariance(t)
    }

    public var images: Tensor { SamplerMath.toImages(x) }
}
