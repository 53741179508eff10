import Foundation

/// Closed forms shared by the latent-variable models (MATH.md sections 3 and 6).
public enum GaussianMath {
    /// `log(2 pi)`.
    public static let logTwoPi = Foundation.log(2 * Double.pi)

    /// `KL(N(mu, sigma^2) || N(0, 1)) = -1/2 sum(1 + log sigma^2 - mu^2 - sigma^2)` for one diagonal
    /// Gaussian given as means and log-variances.
    public static func klToStandardNormal(mean: [Double], logVariance: [Double]) -> Double {
        var sum = 0.0
        for (m, lv) in zip(mean, logVariance) { sum += 1 + lv - m * m - Foundation.exp(lv) }
        return -0.5 * sum
    }

    /// `log N(x; mean, exp(logVariance))` summed over the dimensions.
    public static func logDensity(_ x: [Double], mean: [Double], logVariance: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<x.count {
            let d = x[i] - mean[i]
            sum += -0.5 * (logTwoPi + logVariance[i] + d * d / Foundation.exp(logVariance[i]))
        }
        return sum
    }

    /// Bernoulli log-likelihood `sum t log sigmoid(l) + (1 - t) log(1 - sigmoid(l))` from logits,
    /// i.e. minus the summed binary cross-entropy with logits.
    public static func bernoulliLogLikelihood(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int)
        -> Double
    {
        var sum = 0.0
        for i in 0..<count {
            let l = Double(logits[i])
            sum -= max(l, 0) - l * Double(targets[i]) + Foundation.log1p(Foundation.exp(-Swift.abs(l)))
        }
        return sum
    }

    /// `log sum exp(values)`, stably.
    public static func logSumExp(_ values: [Double]) -> Double {
        guard let m = values.max(), m.isFinite else { return values.max() ?? -.infinity }
        return m + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - m) })
    }

    /// The discriminator's Jensen-Shannon estimate (MATH.md section 4): at the optimal discriminator the
    /// objective `V(D) = E_p[log D] + E_q[log(1 - D)]` equals `2 JSD(p||q) - 2 log 2`, so
    /// `JSD ~ (V(D) + 2 log 2) / 2`.
    public static func jensenShannonEstimate(objective: Double) -> Double {
        (objective + 2 * Foundation.log(2.0)) / 2
    }

    /// `JSD(p||q) = 1/2 KL(p||m) + 1/2 KL(q||m)`, `m = (p+q)/2`, for discrete distributions (nats).
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        var total = 0.0
        for (a, b) in zip(p, q) {
            let m = (a + b) / 2
            if a > 0 { total += 0.5 * a * Foundation.log(a / m) }
            if b > 0 { total += 0.5 * b * Foundation.log(b / m) }
        }
        return total
    }
}
