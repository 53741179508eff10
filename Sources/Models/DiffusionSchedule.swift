import Foundation

/// The DDPM noise schedule (Ho et al. 2020; MATH.md section 8), in Double.
///
/// Steps are indexed `0..<T` here; index `i` is the paper's `t = i + 1`. `beta` is linear from
/// `betaStart` to `betaEnd`, `alpha = 1 - beta`, `alphaBar[i] = prod_{j <= i} alpha[j]`.
public struct DiffusionSchedule: Sendable {
    public let betas: [Double]
    public let alphas: [Double]
    public let alphaBars: [Double]

    public init(steps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02) {
        precondition(steps >= 1, "a schedule needs at least one step")
        betas = (0..<steps).map {
            steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * Double($0) / Double(steps - 1)
        }
        alphas = betas.map { 1 - $0 }
        var product = 1.0
        alphaBars = alphas.map { alpha in
            product *= alpha
            return product
        }
    }

    public var stepCount: Int { betas.count }

    /// `alphaBar` before step `index` (1 before the first step).
    public func alphaBarBefore(_ index: Int) -> Double { index > 0 ? alphaBars[index - 1] : 1 }

    /// The posterior variance `beta_t (1 - alphaBar_{t-1}) / (1 - alphaBar_t)` of `q(x_{t-1} | x_t, x_0)`.
    public func posteriorVariance(_ index: Int) -> Double {
        betas[index] * (1 - alphaBarBefore(index)) / (1 - alphaBars[index])
    }

    /// Coefficients of the posterior mean `c0 x_0 + ct x_t`.
    public func posteriorMeanCoefficients(_ index: Int) -> (x0: Double, xt: Double) {
        let previous = alphaBarBefore(index)
        let denominator = 1 - alphaBars[index]
        return (
            previous.squareRoot() * betas[index] / denominator,
            alphas[index].squareRoot() * (1 - previous) / denominator
        )
    }
}

/// The sinusoidal embedding of a step index (Vaswani et al. 2017, as in DDPM):
/// `[sin(t f_0) ... sin(t f_{d/2-1}), cos(t f_0) ... cos(t f_{d/2-1})]`, `f_i = 10000^(-i / (d/2))`.
public enum TimeEmbedding {
    /// - Returns: `[timesteps.count, dimension]`.
    public static func sinusoidal(_ timesteps: [Int], dimension: Int = 128) -> [Float] {
        let half = dimension / 2
        var out = [Float](repeating: 0, count: timesteps.count * dimension)
        for (row, t) in timesteps.enumerated() {
            for i in 0..<half {
                let frequency = Foundation.exp(-Foundation.log(10000.0) * Double(i) / Double(half))
                let angle = Double(t) * frequency
                out[row * dimension + i] = Float(Foundation.sin(angle))
                out[row * dimension + half + i] = Float(Foundation.cos(angle))
            }
        }
        return out
    }
}
