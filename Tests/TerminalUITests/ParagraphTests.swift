import Testing

@testable import TerminalUI

@Suite struct ParagraphTests {
    @Test func wrapsAtWords() {
        let p = Paragraph("the quick brown fox jumps")
        #expect(
            lines(p, width: 10, height: 4) == ["the quick ", "brown fox ", "jumps     ", "          "])
    }

    @Test func truncatesWithEllipsis() {
        let p = Paragraph("the quick brown fox", overflow: .truncate)
        #expect(lines(p, width: 10, height: 1) == ["the quick…"])
        #expect(truncated("abcdef", toWidth: 3) == "ab…")
        #expect(truncated("abc", toWidth: 3) == "abc")
        #expect(truncated("数据集", toWidth: 4) == "数…")
        #expect(truncated("abc", toWidth: 0) == "")
    }

    /// A cut just after a word drops the space, so that the mark follows the word ("Ankle…", not "Ankle …").
    @Test func truncationDropsTheSpaceBeforeTheEllipsis() {
        #expect(truncated("Ankle boot", toWidth: 7) == "Ankle…")
        #expect(truncated("hidden features of test images", toWidth: 20) == "hidden features of…")
        #expect(lines(Line("Ankle boot"), width: 7, height: 1) == ["Ankle… "])
    }

    /// Cut in the middle: the start and, a little longer, the end stay, around one "…".
    @Test func truncatesInTheMiddle() {
        #expect(truncatedMiddle("mlp-synthetic-20261204-201016-2", toWidth: 20) == "mlp-syn…204-201016-2")
        #expect(truncatedMiddle("abcdef", toWidth: 6) == "abcdef")
        #expect(truncatedMiddle("abcdef", toWidth: 4) == "a…ef")
        #expect(truncatedMiddle("abcdef", toWidth: 1) == "…")
        #expect(truncatedMiddle("数据集数据", toWidth: 6) == "数…据")
        #expect(truncatedMiddle("abc", toWidth: 0) == "")
        let table = Table(
            columns: [.init("run", width: .length(8), truncation: .middle), .init("x", width: .length(1))],
            rows: [["abcdefghijkl", "1"]])
        #expect(lines(table, width: 10, height: 2)[1] == "ab…hijkl 1")
    }

    @Test func longWordsAreSplit() {
        #expect(wrapped("abcdefgh ij", width: 3) == ["abc", "def", "gh", "ij"])
        #expect(wrapped("a\nb", width: 5) == ["a", "b"])
    }

    /// A long word is split after its last comma that fits: between a JSON array's numbers, not inside one.
    @Test func longWordsAreSplitAfterCommas() {
        #expect(wrapped("x: [0.001,0.0005,0.01]", width: 12) == ["x:", "[0.001,", "0.0005,0.01]"])
        #expect(wrapped("abc,defghij", width: 5) == ["abc,", "defgh", "ij"])
        #expect(wrapped("ab,cd,ef", width: 6) == ["ab,cd,", "ef"])
    }

    @Test func alignmentAndStyles() {
        let p = Paragraph([Line("hi", alignment: .right), Line("mid", alignment: .center)])
        #expect(lines(p, width: 7, height: 2) == ["     hi", "  mid  "])
        let styled = Paragraph(
            [Line([Span("ab", style: Style(foreground: .red)), Span("cd")])], overflow: .truncate)
        let buffer = rendered(styled, width: 3, height: 1)
        #expect(buffer.line(0) == "ab…")
        #expect(buffer[0, 0].foreground == .red)
    }

    @Test func wideCharactersWrapByColumns() {
        #expect(lines(Paragraph("数据集合", overflow: .wrap), width: 5, height: 2) == ["数据 ", "集合 "])
    }

    @Test func tinySizes() {
        renderAtTinySizes(Paragraph("hello world, a long paragraph"))
        renderAtTinySizes(Paragraph("数据集", overflow: .truncate))
        #expect(lines(Paragraph("hello", overflow: .truncate), width: 1, height: 1) == ["…"])
    }
}
