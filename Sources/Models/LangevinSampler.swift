import Foundation
import TensorCore

/// Langevin dynamics with a learned score (MATH.md section 7):
/// `x_{i+1} = x_i + alpha s(x_i) + sqrt(2 alpha) z_i`, `z_i ~ N(0, I)` (unadjusted: no Metropolis test).
///
/// Plain: one noise level, step `alpha = epsilon`. Annealed (Song & Ermon 2019, algorithm 1): levels
/// `sigma_1 > ... > sigma_L`, `stepsPerLevel` steps at each with `alpha_i = epsilon sigma_i^2 / sigma_L^2`.
/// The score is any function of `(x, level index)`; for the DAE `s = (r(x) - x) / sigma^2`, and the
/// predicted clean image is `r(x) = x + sigma^2 s(x)` (Tweedie's formula).
public final class LangevinSampler: Sampler {
    /// Noise levels visited, in order (one for plain Langevin), and their index in the score model.
    public let ladder: [(sigma: Float, level: Int)]
    public let stepsPerLevel: Int
    public private(set) var epsilon: Float
    public private(set) var x: Tensor
    public private(set) var predictedX0: Tensor?
    public private(set) var scoreNorm = 0.0
    public private(set) var stepsTaken = 0
    private let score: (Tensor, Int) -> Tensor
    private var generator: RandomGenerator

    /// - Parameters:
    ///   - start: the initial state `[n, pixels]`.
    ///   - ladder: levels to visit, largest sigma first; the last one is `sigma_L` of the step rule.
    ///   - epsilon: the step size (plain) or the base `epsilon` of `alpha_i` (annealed).
    ///   - score: `s(x, level)` `[n, pixels]`.
    public init(
        start: Tensor, ladder: [(sigma: Float, level: Int)], stepsPerLevel: Int, epsilon: Float, seed: UInt64,
        score: @escaping (Tensor, Int) -> Tensor
    ) {
        precondition(
            !ladder.isEmpty && stepsPerLevel >= 1 && epsilon > 0,
            "Langevin needs levels, steps >= 1 and a positive step")
        x = start
        self.ladder = ladder
        self.stepsPerLevel = stepsPerLevel
        self.epsilon = epsilon
        self.score = score
        generator = RandomGenerator(seed: seed)
    }

    /// Multiplies the step size `epsilon` by `factor` (kept within 1e-8...10), between steps: the
    /// workbench's live noise-level control. Returns the new `epsilon`.
    @discardableResult
    public func scaleStepSize(by factor: Float) -> Float {
        epsilon = min(10, max(1e-8, epsilon * factor))
        return epsilon
    }

    public var totalSteps: Int { ladder.count * stepsPerLevel }
    public var isFinished: Bool { stepsTaken >= totalSteps }
    public var progress: (done: Int, total: Int) { (stepsTaken, totalSteps) }

    /// The level of the next (or last) step.
    public var currentLevel: (sigma: Float, level: Int) { ladder[min(stepsTaken / stepsPerLevel, ladder.count - 1)] }
    public var noiseLevel: Double { Double(currentLevel.sigma) }

    /// `alpha_i` at the current level.
    public var stepSize: Float {
        let last = ladder[ladder.count - 1].sigma
        let sigma = currentLevel.sigma
        return epsilon * sigma * sigma / (last * last)
    }

    public func step() throws {
        precondition(!isFinished, "step() after the last step")
        let (sigma, level) = currentLevel
        let alpha = stepSize
        let s = score(x, level)
        scoreNorm = SamplerMath.meanRowNorm(s)
        let next = Tensor(zeros: x.shape)
        let noiseScale = (2 * alpha).squareRoot()
        let denoised = Tensor(zeros: x.shape)
        for i in 0..<x.count {
            next.data[i] = x.data[i] + alpha * s.data[i] + noiseScale * generator.gaussian()
            denoised.data[i] = x.data[i] + sigma * sigma * s.data[i]
        }
        stepsTaken += 1
        try SamplerMath.checkBounded(
            next,
            "Langevin diverged at step \(stepsTaken) (sigma \(sigma), step size \(alpha)): values became non-finite or exceeded 1e6; use a smaller --step"
        )
        x = next
        predictedX0 = denoised
    }

    /// The denoised final state (the last `predictedX0`) clamped to [0, 1]; the raw state before any step.
    public var images: Tensor { SamplerMath.clamped(predictedX0 ?? x, 0, 1) }
}
