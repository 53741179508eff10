import Testing

@testable import TerminalUI

/// Bug: a histogram of values spanning more than the largest Double (-1e308 and 1e308) crashed: the
/// range overflowed to infinity and the top value's bin index was NaN. The bins are now computed on the
/// halved values, so each value lands in its bin.
@Suite struct HistogramHugeRangeTests {
    @Test func valuesSpanningTheWholeDoubleRangeAreBinned() {
        let (counts, low, high) = Histogram.bins([-1e308, 0, 1e308], count: 3)
        #expect(counts == [1, 1, 1])
        #expect(low == -1e308 && high == 1e308)
        let shown = lines(Histogram(values: [-1e308, 0, 1e308], binCount: 3), width: 12, height: 3)
        #expect(shown[2].hasPrefix("-1e308") && shown[2].hasSuffix("1e308"), "\(shown)")
    }
}
