import Foundation
import TensorCore

/// DDIM sampling (Song, Meng & Ermon 2021) from a DDPM-trained noise model: `S` steps on the evenly
/// spaced sub-sequence `tau_i = floor(i T / S)`, with
/// `x_prev = sqrt(alphaBar_prev) x_0_hat + sqrt(1 - alphaBar_prev - sigma^2) eps + sigma z`,
/// `sigma = eta sqrt((1 - alphaBar_prev) / (1 - alphaBar_t)) sqrt(1 - alphaBar_t / alphaBar_prev)`.
/// `eta = 0` is deterministic given `x_T`; `eta = 1` is DDPM-like.
///
/// With `classifierGuidance` (Dhariwal & Nichol 2021, Algorithm 2) the noise prediction becomes
/// `eps - sqrt(1 - alphaBar_t) s grad_{x_t} log p(k | x_t)` before `x_0_hat` and the step are formed.
public final class DDIMSampler: Sampler {
    public let schedule: DiffusionSchedule
    public let eta: Double
    public let clip: Bool
    /// The visited step indices, ascending (0-based).
    public let timesteps: [Int]
    public private(set) var x: Tensor
    public private(set) var predictedX0: Tensor?
    public private(set) var scoreNorm = 0.0
    /// Position in `timesteps` of the next step; -1 when finished.
    public private(set) var position: Int
    /// Classifier guidance (Dhariwal & Nichol 2021, Algorithm 2); nil samples unguided.
    public var classifierGuidance: ClassifierGuidance?
    private let predictNoise: (Tensor, [Int]) -> Tensor
    private var generator: RandomGenerator

    public init(
        count: Int, pixels: Int, schedule: DiffusionSchedule, steps: Int, eta: Double = 0, clip: Bool = false,
        seed: UInt64,
        start: Tensor? = nil, predictNoise: @escaping (Tensor, [Int]) -> Tensor
    ) {
        precondition(steps >= 1 && steps <= schedule.stepCount, "DDIM needs 1...T steps")
        self.schedule = schedule
        self.eta = eta
        self.clip = clip
        self.predictNoise = predictNoise
        timesteps = (0..<steps).map { $0 * schedule.stepCount / steps }
        generator = RandomGenerator(seed: seed)
        x = start ?? Tensor.randomNormal([count, pixels], generator: &generator)
        position = steps - 1
    }

    public var isFinished: Bool { position < 0 }
    public var progress: (done: Int, total: Int) { (timesteps.count - 1 - position, timesteps.count) }
    public var noiseLevel: Double { (1 - schedule.alphaBars[timesteps[max(position, 0)]]).squareRoot() }

    public func step() throws {
        precondition(!isFinished, "step() after the last step")
        let t = timesteps[position]
        let alphaBar = schedule.alphaBars[t]
        let previous = position > 0 ? schedule.alphaBars[timesteps[position - 1]] : 1
        var eps = noGrad { predictNoise(x, [Int](repeating: t, count: x.shape[0])) }
        if let classifierGuidance {
            eps = classifierGuidance.guidedNoise(eps, gradient: classifierGuidance.gradient(x), alphaBar: alphaBar)
        }
        scoreNorm = SamplerMath.meanRowNorm(eps)
        let sigma = eta * ((1 - previous) / (1 - alphaBar)).squareRoot() * (1 - alphaBar / previous).squareRoot()
        let sqrtAlphaBar = Float(alphaBar.squareRoot())
        let sqrtOneMinus = Float((1 - alphaBar).squareRoot())
        let sqrtPrevious = Float(previous.squareRoot())
        let direction = Float(max(1 - previous - sigma * sigma, 0).squareRoot())
        let sigmaF = Float(sigma)
        let x0 = Tensor(zeros: x.shape)
        let next = Tensor(zeros: x.shape)
        for i in 0..<x.count {
            var predicted = (x.data[i] - sqrtOneMinus * eps.data[i]) / sqrtAlphaBar
            var noise = eps.data[i]
            if clip {
                predicted = min(max(predicted, -1), 1)
                noise = (x.data[i] - sqrtAlphaBar * predicted) / sqrtOneMinus
            }
            var value = sqrtPrevious * predicted + direction * noise
            if sigmaF > 0 { value += sigmaF * generator.gaussian() }
            x0.data[i] = predicted
            next.data[i] = value
        }
        try SamplerMath.checkBounded(next, "DDIM sampling diverged at t = \(t + 1): values became non-finite")
        x = next
        predictedX0 = x0
        position -= 1
    }

    public var images: Tensor { SamplerMath.toImages(x) }
}
