import Testing

@testable import TerminalUI

@Suite struct BlockTests {
    @Test func borderAndTitle() {
        let block = Block(title: "Loss", kind: .plain)
        #expect(lines(block, width: 10, height: 3) == ["┌ Loss ──┐", "│        │", "└────────┘"])
        #expect(
            block.inner(Rect(x: 0, y: 0, width: 10, height: 3)) == Rect(x: 1, y: 1, width: 8, height: 1))
    }

    @Test func longTitleIsTruncated() {
        let block = Block(title: "A very long title", kind: .rounded)
        #expect(lines(block, width: 10, height: 2) == ["╭ A ver… ╮", "╰────────╯"])
    }

    @Test func tinySizes() {
        renderAtTinySizes(Block(title: "x"))
        #expect(lines(Block(kind: .plain), width: 1, height: 1) == ["│"])
        #expect(lines(Block(kind: .plain), width: 2, height: 2) == ["┌┐", "└┘"])
        #expect(Block().inner(Rect(x: 0, y: 0, width: 1, height: 1)).isEmpty)
    }

    @Test func titleStyleIsApplied() {
        let buffer = rendered(
            Block(title: "T", titleStyle: Style(foreground: .red)), width: 8, height: 3)
        #expect(buffer[2, 0].grapheme == "T")
        #expect(buffer[2, 0].foreground == .red)
    }
}
