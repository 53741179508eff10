import Testing

@testable import TerminalUI

/// Bug: a bar whose value was infinite printed "nan" beside it (every non-finite value read "nan").
/// Infinities now read "inf" and "-inf"; only NaN reads "nan".
@Suite struct BarChartNonFiniteValueTests {
    @Test func infinitiesAreNotCalledNaN() {
        let chart = BarChart(bars: [
            .init(label: "a", value: .infinity), .init(label: "b", value: -.infinity), .init(label: "c", value: .nan),
            .init(label: "d", value: 0.5),
        ])
        let shown = lines(chart, width: 20, height: 4)
        #expect(shown[0].hasSuffix(" inf"), "\(shown)")
        #expect(shown[1].hasSuffix("-inf"), "\(shown)")
        #expect(shown[2].hasSuffix(" nan"), "\(shown)")
        #expect(shown[3].hasSuffix("0.50"), "\(shown)")
    }
}
