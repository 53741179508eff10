import Testing

@testable import Manifold

/// `attack --out`'s perturbation heatmaps: scaled to the largest finite change, red up, blue down, and a
/// NaN or an infinity drawn instead of trapping in the conversion to a byte.
@Suite struct PerturbationHeatmapTests {
    @Test func scalesToTheLargestChangeAndDrawsNonFiniteValues() {
        let rgb = AttackCommand.heatmapRGB([0.5, -0.25, 0, .nan, .infinity, -.infinity])
        #expect(rgb.count == 18)
        #expect(Array(rgb[0..<3]) == [255, 0, 0])  // the largest finite change: full red
        #expect(Array(rgb[3..<6]) == [128, 128, 255])  // half of it downwards: light blue
        #expect(Array(rgb[6..<9]) == [255, 255, 255])  // no change: white
        #expect(Array(rgb[9..<12]) == [255, 255, 255])  // NaN: white
        #expect(Array(rgb[12..<15]) == [255, 0, 0])  // +infinity: clamped to full red
        #expect(Array(rgb[15..<18]) == [0, 0, 255])  // -infinity: full blue
    }
}
