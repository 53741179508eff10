import Foundation

/// One figure measured several times (for example once per training seed): its mean, sample standard
/// deviation and range.
public struct SampleSummary: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// The sample standard deviation (divisor `count - 1`); 0 for a single value.
    public let standardDeviation: Double
    public let minimum: Double
    public let maximum: Double

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        count = values.count
        let average = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        mean = average
        standardDeviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
        minimum = values.min()!
        maximum = values.max()!
    }
}

/// Whether two samples of a figure (say Manifold's seeds and PyTorch's) differ: the difference of the
/// means in standard errors (Welch) and the two-sided Mann-Whitney U test (Mann & Whitney 1947), with
/// average ranks for ties and the tie-corrected normal approximation, no continuity correction.
public struct SampleComparison: Sendable, Equatable {
    /// `mean(a) - mean(b)`.
    public let difference: Double
    /// `difference / sqrt(sd_a^2 / n_a + sd_b^2 / n_b)`; nil when that standard error is 0 or a sample
    /// has a single value.
    public let standardErrors: Double?
    /// U of the first sample: the number of pairs (x from a, y from b) with x > y, ties counting one half.
    public let mannWhitneyU: Double
    /// The two-sided p-value of U; 1 when every value is tied.
    public let pValue: Double

    public init(_ a: [Double], _ b: [Double]) {
        let (summaryA, summaryB) = (SampleSummary(a), SampleSummary(b))
        difference = summaryA.mean - summaryB.mean
        let variance =
            summaryA.standardDeviation * summaryA.standardDeviation / Double(a.count)
            + summaryB.standardDeviation * summaryB.standardDeviation / Double(b.count)
        standardErrors = a.count > 1 && b.count > 1 && variance > 0 ? difference / variance.squareRoot() : nil

        // Average ranks over the pooled sample; the rank sum of a gives U.
        let pooled = (a.map { ($0, true) } + b.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSumA = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let averageRank = Double(start + end + 2) / 2
            let tied = Double(end - start + 1)
            tieTerm += tied * tied * tied - tied
            for index in start...end where pooled[index].1 { rankSumA += averageRank }
            start = end + 1
        }
        let (n1, n2) = (Double(a.count), Double(b.count))
        let n = n1 + n2
        mannWhitneyU = rankSumA - n1 * (n1 + 1) / 2
        let sigma = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        pValue = sigma > 0 ? erfc(abs(mannWhitneyU - n1 * n2 / 2) / sigma / 2.0.squareRoot()) : 1
    }
}
