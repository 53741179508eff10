import Testing

@testable import TerminalUI

@Suite struct BufferTests {
    @Test func setStringWritesAndClips() {
        var buffer = Buffer(width: 5, height: 2)
        let end = buffer.setString("hello world", x: 1, y: 0)
        #expect(end == 5)
        #expect(buffer.lines == [" hell", "     "])
        buffer.setString("xyz", x: -1, y: 1)
        #expect(buffer.line(1) == "yz   ")
        buffer.setString("zzz", x: 0, y: 7)
        buffer.setString("abc", x: 0, y: 1, maxWidth: 2)
        #expect(buffer.line(1) == "ab   ")
    }

    @Test func wideCharactersTakeTwoCells() {
        var buffer = Buffer(width: 5, height: 1)
        buffer.setString("a数b", x: 0, y: 0)
        #expect(buffer[1, 0].grapheme == "数")
        #expect(buffer[2, 0].isContinuation)
        #expect(buffer[3, 0].grapheme == "b")
        #expect(buffer.line(0) == "a数b ")
        // Overwriting the trailing half blanks the leading half.
        buffer.put("x", x: 2, y: 0)
        #expect(buffer.line(0) == "a xb ")
    }

    @Test func wideCharacterAtRightEdgeBecomesSpace() {
        var buffer = Buffer(width: 3, height: 1)
        buffer.setString("ab数", x: 0, y: 0)
        #expect(buffer.line(0) == "ab ")
        buffer.put("数", x: 2, y: 0)
        #expect(buffer.line(0) == "ab ")
    }

    @Test func controlCharactersNeverReachCells() {
        var buffer = Buffer(width: 6, height: 1)
        buffer.setString("a\u{1B}b\u{7}c\u{9B}", x: 0, y: 0)
        #expect(buffer.line(0) == "abc   ")
        for cell in buffer.cells { #expect(cell.symbol == 0 || cell.symbol >= 0x20) }
    }

    @Test func combiningGraphemeStaysInOneCell() {
        var buffer = Buffer(width: 3, height: 1)
        buffer.setString("e\u{301}x", x: 0, y: 0)
        #expect(buffer[0, 0].grapheme == "e\u{301}")
        #expect(buffer[1, 0].grapheme == "x")
    }

    @Test func zeroSizedBufferIgnoresEverything() {
        var buffer = Buffer(width: 0, height: 0)
        buffer.setString("abc", x: 0, y: 0)
        buffer.put("x", x: 0, y: 0)
        buffer.fill(Rect(x: 0, y: 0, width: 4, height: 4))
        buffer.setStyle(Style(attributes: .bold), in: Rect(x: -3, y: -3, width: 9, height: 9))
        #expect(buffer.cells.isEmpty)
        #expect(buffer[0, 0] == .blank)
        let negative = Buffer(width: -3, height: 4)
        #expect(negative.width == 0 && negative.cells.isEmpty)
    }

    @Test func stylePatchKeepsUnsetColours() {
        var buffer = Buffer(width: 2, height: 1)
        buffer.setStyle(Style(background: .red), in: buffer.area)
        buffer.setString("a", x: 0, y: 0, style: Style(foreground: .green, attributes: .bold))
        #expect(buffer[0, 0].foreground == .green)
        #expect(buffer[0, 0].background == .red)
        #expect(buffer[0, 0].attributes == .bold)
    }

    @Test func cellPackingRoundTrips() {
        for text in ["a", "é", "数", "⣿", "📈", "e\u{301}"] {
            #expect(Cell(Character(text)).grapheme == text)
        }
        #expect(Cell.pack(scalar: "⣿") == Cell.pack(Character("⣿")))
    }

    @Test func characterWidths() {
        #expect(CharacterWidth.of("abc") == 3)
        #expect(CharacterWidth.of("数据") == 4)
        #expect(CharacterWidth.of(Character("📈")) == 2)
        #expect(CharacterWidth.of(Character("⠿")) == 1)
        #expect(CharacterWidth.of(Character("█")) == 1)
        #expect(CharacterWidth.of(Unicode.Scalar(0x301)!) == 0)
        #expect(CharacterWidth.of(Unicode.Scalar(0xFE0F)!) == 0)
    }
}
