import Testing

@testable import TerminalUI

/// Bug: a value just under a power of ten whose mantissa rounded up to 10 was labelled "10e5" (999,999)
/// or "10e-4" (0.000999), e.g. a heatmap legend of "-10e-4 ... +10e-4". It now reads "1e6" and "1e-3".
@Suite struct AxisLabelDecadeTests {
    @Test func aMantissaRoundedToTenMovesToTheNextDecade() {
        #expect(AxisTicks.label(999_999) == "1e6")
        #expect(AxisTicks.label(-999_999) == "-1e6")
        #expect(AxisTicks.label(0.000999) == "1e-3")
        #expect(AxisTicks.label(9.97e-7) == "1e-6")
        // Unchanged: mantissas that do not reach 10.
        #expect(AxisTicks.label(123_456) == "1.2e5")
        #expect(AxisTicks.label(0.0005) == "5e-4")
        #expect(AxisTicks.label(9.9e-4) == "9.9e-4")
        let legend = lines(
            Heatmap(values: [0.000999, -0.0005], width: 2, height: 1, monochrome: true), width: 24, height: 3)[2]
        #expect(legend.hasPrefix("-1e-3") && legend.hasSuffix("+1e-3"), "\(legend)")
    }
}
