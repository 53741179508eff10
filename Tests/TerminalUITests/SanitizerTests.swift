import Testing

@testable import TerminalUI

/// The sanitiser itself is tested in BaseTests (`SanitizeTests`); these check that widgets apply it.
@Suite struct SanitizerTests {
    @Test func sanitizedRemovesSequencesAndBidiOverrides() {
        #expect(sanitized("a\u{1B}[31mb\u{202E}c\td") == "abc d")
        #expect(sanitized("a\nb", keepNewlines: true) == "a\nb")
    }

    @Test func textWidgetsSanitize() {
        let line = Line("a\u{1B}[2Jb")
        #expect(line.plainText == "ab")
        #expect(Block(title: "t\u{1B}]0;x\u{7}").title == "t")
        #expect(Paragraph("p\u{1B}[1mq").lines.first?.plainText == "pq")
    }
}
