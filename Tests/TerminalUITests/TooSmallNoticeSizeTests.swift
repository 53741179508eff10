import Testing

@testable import TerminalUI

/// The "terminal too small" notice in terminals too small for its whole sentence.
@Suite struct TooSmallNoticeSizeTests {
    /// Bug: the sentence was wrapped and cut to the rows there were, so a 12x2 terminal showed
    /// "terminal too" / "small (needs" and never the size to make it; 30x1 showed "terminal too small (needs".
    @Test func theNeededSizeShowsWhereverItFits() {
        let notice = TerminalTooSmall(minimumWidth: 60, minimumHeight: 18)
        for (width, height) in [(12, 2), (30, 1), (16, 1), (5, 1), (11, 1), (8, 3)] {
            let text = lines(notice, width: width, height: height).joined(separator: "\n")
            #expect(text.contains("60x18"), "\(width)x\(height):\n\(text)")
        }
        // Where the whole sentence fits, it is the sentence.
        #expect(
            lines(notice, width: 16, height: 3).map { $0.split(separator: " ").joined(separator: " ") }
                == ["terminal too", "small (needs", "60x18)"])
    }
}
