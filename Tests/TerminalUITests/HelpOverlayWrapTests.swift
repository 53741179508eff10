import Testing

@testable import TerminalUI

/// The help overlay in a terminal narrower than its longest description wraps the descriptions.
@Suite struct HelpOverlayWrapTests {
    /// Bug: at 80 columns a description longer than the box was cut at its right edge (the Attack lab's
    /// `g`, `p`, `f` lost their ends). Each now continues on the rows below, under its own column.
    @Test func aLongDescriptionWrapsUnderItsColumn() {
        let long = (1...24).map { "word\($0)" }.joined(separator: " ")
        let entries = [HelpOverlay.Entry("g", long), .init("q", "quit")]
        let frame = lines(HelpOverlay(entries: entries), width: 80, height: 24)
        let text = frame.joined(separator: "\n")
        for index in 1...24 {
            #expect(text.contains("word\(index) ") || text.contains("word\(index)│"), "word\(index) cut:\n\(text)")
        }
        let first = frame.firstIndex { $0.contains("│ g  word1 ") }
        #expect(first != nil, "\(text)")
        if let first {
            // The continuation starts in the description's column, not under the keys.
            #expect(frame[first + 1].contains("│    word"), "\(text)")
            #expect(frame.contains { $0.contains("│ q  quit") }, "\(text)")
        }
        // Wrapped rows count toward the pages: a short box pages instead of dropping rows.
        let paged = (0..<4).map { lines(HelpOverlay(entries: entries, page: $0), width: 40, height: 6) }
        let all = paged.map { $0.joined(separator: "\n") }.joined(separator: "\n")
        for index in 1...24 { #expect(all.contains("word\(index)"), "word\(index) on no page:\n\(all)") }
        #expect(all.contains("quit"), "\(all)")
        renderAtTinySizes(HelpOverlay(entries: entries, page: 3))
    }
}
