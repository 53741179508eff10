import Testing

@testable import TerminalUI

/// Golden text of the widgets on the values a live run can produce at its edges: negative and
/// non-finite values, a single point, one repeated value, huge magnitudes, negative zero, and text
/// longer than its space.
@Suite struct WidgetEdgeValueTests {
    @Test func sparklineWithNegativeNonFiniteAndSinglePoints() {
        // low -2, top 2: -2 is the floor (blank), NaN and infinity draw nothing, 0 is half height.
        #expect(lines(Sparkline(values: [-2, 2, .nan, 0, .infinity]), width: 6, height: 1) == ["  █ ▄ "])
        #expect(lines(Sparkline(values: [5]), width: 3, height: 2) == ["  █", "  █"])
        #expect(lines(Sparkline(values: [-0.0, -0.0]), width: 2, height: 1) == ["  "])
    }

    @Test func histogramOfOneRepeatedValueSitsInTheMiddleBin() {
        #expect(lines(Histogram(values: [3, 3, 3], binCount: 3), width: 3, height: 3) == [" █ ", " █ ", "3 3"])
        // Nothing finite: nothing drawn, no range printed.
        #expect(
            lines(Histogram(values: [.nan, .infinity], binCount: 3), width: 5, height: 3) == [
                "     ", "     ", "     ",
            ])
    }

    @Test func clearBlanksItsAreaOnly() {
        var buffer = Buffer(width: 4, height: 2)
        buffer.fill(buffer.area, with: "x")
        buffer.render(Clear(), in: Rect(x: 1, y: 0, width: 2, height: 2))
        #expect(buffer.lines == ["x  x", "x  x"])
    }

    @Test func clockText() {
        #expect(ClockText.format(0) == "0:00")
        #expect(ClockText.format(59.6) == "1:00")
        #expect(ClockText.format(3599) == "59:59")
        #expect(ClockText.format(3600) == "1:00:00")
        #expect(ClockText.format(36_000 + 61) == "10:01:01")
        // Bug: a duration past Int's range (1e30 s) trapped converting to Int.
        #expect(ClockText.format(1e30) == "9999:59:59")
        #expect(ClockText.format(Double(9999 * 3600 + 3599)) == "9999:59:59")
        #expect(ClockText.format(-5) == "0:00")
        #expect(ClockText.format(.nan) == "0:00")
        #expect(ClockText.format(.infinity) == "0:00")
    }

    @Test func heatmapLegendWithOnlyNonFiniteValuesUsesTheUnitRange() {
        let map = Heatmap(values: [.nan, .infinity, -.infinity, 0], width: 2, height: 2, monochrome: true)
        #expect(map.effectiveLimit == 1)
        let legend = lines(map, width: 16, height: 3)[2]
        #expect(legend.hasPrefix("-1 ") && legend.hasSuffix(" +1"), "\(legend)")
    }

    @Test func gaugeLabelLongerThanTheBarIsCut() {
        #expect(lines(Gauge(ratio: 0.5, label: "epoch 12 · 50%"), width: 8, height: 1) == ["epoch 1…"])
        #expect(lines(Gauge(ratio: -.infinity), width: 4, height: 1) == [" 0% "])
        #expect(lines(Gauge(ratio: .infinity), width: 6, height: 1) == [" 100% "])
    }

    @Test func tabsAtOneColumnShowTheEllipsis() {
        #expect(lines(Tabs(titles: ["Home"], selected: 0), width: 1, height: 1) == ["…"])
    }
}
