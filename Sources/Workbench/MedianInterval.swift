import Foundation

/// A distribution-free confidence interval for the median of `values` (order statistics; see e.g.
/// Conover, "Practical Nonparametric Statistics", section 3.2): the narrowest symmetric interval
/// `[x_(j), x_(n+1-j)]` of the sorted values whose coverage `1 - 2 P(Binomial(n, 1/2) < j)` is at
/// least `level`; with too few values for that level, the whole range and its (lower) coverage.
/// It assumes only independent rounds, not a normal distribution of the per-round figures.
public struct MedianInterval: Sendable, Equatable {
    public let low: Double
    public let high: Double
    /// The probability that the interval holds the true median.
    public let coverage: Double

    public init?(_ values: [Double], level: Double = 0.95) {
        let sorted = values.sorted()
        let n = sorted.count
        guard n > 0 else { return nil }
        // P(Binomial(n, 1/2) <= i) for i = 0, 1, ...
        var cumulative: [Double] = []
        var term = pow(0.5, Double(n))
        var sum = 0.0
        for i in 0...n {
            sum += term
            cumulative.append(sum)
            term *= Double(n - i) / Double(i + 1)
        }
        var j = 1
        while j + 1 <= (n + 1) / 2 && 1 - 2 * cumulative[j] >= level { j += 1 }
        low = sorted[j - 1]
        high = sorted[n - j]
        coverage = max(0, 1 - 2 * cumulative[j - 1])
    }

    /// What the interval says about a cost target: shown to be within it, shown to exceed it, or not
    /// decided by these rounds.
    public func verdict(target: Double) -> String {
        if high <= target { return "within the target" }
        if low > target { return "above the target" }
        return "not decided: more rounds would narrow the interval"
    }
}
