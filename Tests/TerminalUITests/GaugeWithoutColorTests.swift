import Testing

@testable import TerminalUI

/// The progress bar on a terminal without colour (`NO_COLOR`, where every theme colour is the default).
@Suite struct GaugeWithoutColorTests {
    /// Bug: with no colours the filled part was spaces on the default background, the same as the track: the
    /// bar was invisible, and only the eighth block at its end showed, a stray `▍` in the middle of the box.
    @Test func theFilledPartShowsInReverseVideo() {
        let gauge = Gauge(ratio: 0.5, label: "50%", filledColor: .default, trackColor: .default)
        let buffer = rendered(gauge, width: 20, height: 1)
        for x in 0..<10 {
            #expect(buffer[x, 0].attributes.contains(.reverse), "column \(x) of the filled half is not drawn")
        }
        for x in 10..<20 {
            #expect(!buffer[x, 0].attributes.contains(.reverse), "column \(x) of the track is drawn as filled")
        }
        // The label keeps its text, in reverse where it lies on the filled part.
        #expect(lines(gauge, width: 20, height: 1) == ["        50%         "])
        #expect(buffer[8, 0].grapheme == "5" && buffer[8, 0].attributes.contains(.reverse))
        #expect(buffer[10, 0].grapheme == "%" && !buffer[10, 0].attributes.contains(.reverse))
    }

    /// In colour the bar stays a filled background, with no reverse video.
    @Test func inColourTheFilledPartIsItsBackground() {
        let buffer = rendered(Gauge(ratio: 0.5, label: "", filledColor: .green), width: 10, height: 1)
        #expect(buffer[2, 0].background == .green && !buffer[2, 0].attributes.contains(.reverse))
    }
}
