import Testing

@testable import TerminalUI

/// The perturbation heatmap on a terminal without colour (`NO_COLOR`), where the sign cannot be a hue.
@Suite struct HeatmapSignWithoutColorTests {
    /// Bug: without colour each cell showed only the magnitude on the image ramp, so a pixel pushed up and one
    /// pushed down by the same amount were the same glyph (a PGD perturbation was a field of `@` and `=`, its
    /// signs gone, though the Feature view's panel is titled "perturbation (+ / -)").
    @Test func aPositiveAndANegativeValueOfTheSameSizeAreDrawnApart() {
        for magnitude: Float in [0.3, 0.9] {
            let map = Heatmap(
                values: [magnitude, -magnitude], width: 2, height: 1, limit: 1, showLegend: false, monochrome: true)
            let row = lines(map, width: 2, height: 1)[0]
            #expect(row.count == 2 && Set(row).count == 2 && !row.contains(" "), "\(magnitude): '\(row)'")
        }
        // Near zero stays blank, and a stronger value of a sign is drawn heavier than a weaker one.
        let map = Heatmap(
            values: [0.01, 0.3, 0.9, -0.01, -0.3, -0.9], width: 6, height: 1, limit: 1, showLegend: false,
            monochrome: true)
        #expect(lines(map, width: 6, height: 1) == [" +# -="])
    }

    /// The legend says which glyph is which sign: the negative ones on the left, the positive on the right.
    @Test func theLegendShowsTheSignGlyphs() {
        let map = Heatmap(values: [1, -1], width: 2, height: 1, limit: 1, monochrome: true)
        let legend = lines(map, width: 24, height: 3)[2]
        #expect(legend.hasPrefix("-1 =") && legend.hasSuffix("# +1"), "'\(legend)'")
    }
}
