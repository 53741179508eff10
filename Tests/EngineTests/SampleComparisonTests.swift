import Engine
import Testing

/// Known answers for the seed-study statistics (worked by hand; the p-values from the normal
/// approximation written out in Python's math.erfc).
struct SampleComparisonTests {
    @Test func summaryHasTheSampleStandardDeviation() {
        let summary = SampleSummary([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(summary.count == 8 && summary.mean == 5)
        // Sum of squares 32, divisor n - 1 = 7.
        #expect(abs(summary.standardDeviation - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(summary.minimum == 2 && summary.maximum == 9)
        #expect(SampleSummary([3]).standardDeviation == 0)
    }

    @Test func separatedSamplesGiveUZeroAndTheNormalApproximation() {
        let comparison = SampleComparison([1, 2, 3], [4, 5, 6])
        #expect(comparison.difference == -3)
        // Welch: -3 / sqrt(1/3 + 1/3).
        #expect(abs(comparison.standardErrors! - -3.6742346141747673) < 1e-12)
        #expect(comparison.mannWhitneyU == 0)
        // z = -4.5 / sqrt(9 * 7 / 12).
        #expect(abs(comparison.pValue - 0.04953461343562674) < 1e-12)
        // Swapping the samples mirrors U (n1 n2 - U) and keeps p.
        let swapped = SampleComparison([4, 5, 6], [1, 2, 3])
        #expect(swapped.mannWhitneyU == 9 && abs(swapped.pValue - comparison.pValue) < 1e-15)
    }

    @Test func tiesShareTheirAverageRankAndShrinkTheVariance() {
        // Pooled 1, 2, 2, 2, 3, 4: the three 2s share rank 3; U = 7 - 6 = 1 (the pairs 2 > 2 count 1/2).
        let comparison = SampleComparison([1, 2, 2], [2, 3, 4])
        #expect(comparison.mannWhitneyU == 1)
        // sigma^2 = 9/12 * (7 - (27 - 3) / 30).
        #expect(abs(comparison.pValue - 0.10457099306437283) < 1e-12)
    }

    @Test func identicalOrSingleValueSamplesAreNotCalledDifferent() {
        let tied = SampleComparison([0.5, 0.5], [0.5, 0.5, 0.5])
        #expect(tied.pValue == 1 && tied.standardErrors == nil && tied.difference == 0)
        let single = SampleComparison([1], [2, 3])
        #expect(single.standardErrors == nil)
        #expect(single.mannWhitneyU == 0)
    }
}
