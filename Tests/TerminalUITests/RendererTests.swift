import Testing

@testable import TerminalUI

@Suite struct RendererTests {
    let begin = EscapeSequences.beginSynchronizedUpdate
    let end = EscapeSequences.endSynchronizedUpdate

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func firstFrameClearsAndDrawsOnlyNonBlankCells() {
        var renderer = Renderer()
        var buffer = Buffer(width: 4, height: 2)
        buffer.setString("hi", x: 1, y: 1)
        let output = text(renderer.render(buffer))
        #expect(output == begin + "\u{1B}[0m\u{1B}[2J" + "\u{1B}[2;2Hhi" + end)
    }

    @Test func unchangedFrameWritesOnlyTheSyncMarkers() {
        var renderer = Renderer()
        var buffer = Buffer(width: 20, height: 5)
        buffer.setString("static text", x: 0, y: 0, style: Style(foreground: .rgb(1, 2, 3)))
        _ = renderer.render(buffer)
        #expect(text(renderer.render(buffer)) == begin + end)
    }

    @Test func oneCellChangeWritesAHandfulOfBytes() {
        var renderer = Renderer()
        var buffer = Buffer(width: 200, height: 60)
        buffer.setString(String(repeating: "x", count: 200), x: 0, y: 30)
        _ = renderer.render(buffer)
        buffer.put("y", x: 150, y: 30, style: Style(foreground: .red))
        let output = renderer.render(buffer)
        let body = text(output).dropFirst(begin.count).dropLast(end.count)
        #expect(body == "\u{1B}[31;151H\u{1B}[31my\u{1B}[0m")
        #expect(output.count < 40)
    }

    @Test func adjacentChangesNeedNoCursorMoveAndShortGapsUseCursorForward() {
        var renderer = Renderer()
        var buffer = Buffer(width: 10, height: 1)
        _ = renderer.render(buffer)
        buffer.setString("ab", x: 0, y: 0)
        buffer.setString("c", x: 5, y: 0)
        #expect(text(renderer.render(buffer)) == begin + "\u{1B}[1;1Hab\u{1B}[3Cc" + end)
    }

    @Test func stylesAreSentOnlyWhenTheyChange() {
        var renderer = Renderer()
        var buffer = Buffer(width: 6, height: 1)
        buffer.setString(
            "abc", x: 0, y: 0, style: Style(foreground: .rgb(10, 20, 30), attributes: .bold))
        buffer.setString("def", x: 3, y: 0)
        let output = text(renderer.render(buffer))
        #expect(output.hasSuffix("\u{1B}[1;38;2;10;20;30mabc\u{1B}[0mdef" + end))
    }

    @Test func coloursDegradeToTheRendererDepth() {
        var buffer = Buffer(width: 1, height: 1)
        buffer.put(
            "x", x: 0, y: 0, style: Style(foreground: .rgb(255, 0, 0), background: .rgb(0, 0, 0)))
        var r256 = Renderer(colorDepth: .palette256)
        #expect(text(r256.render(buffer)).contains("\u{1B}[38;5;196;48;5;16mx"))
        var r16 = Renderer(colorDepth: .ansi16)
        #expect(text(r16.render(buffer)).contains("\u{1B}[91;40mx"))
        var none = Renderer(colorDepth: .none)
        let plain = text(none.render(buffer))
        #expect(!plain.contains("38;") && !plain.contains("48;"))
    }

    @Test func wideCharactersAdvanceTheCursorByTwo() {
        var renderer = Renderer()
        var buffer = Buffer(width: 6, height: 1)
        buffer.setString("数ab", x: 0, y: 0)
        #expect(text(renderer.render(buffer)) == begin + "\u{1B}[0m\u{1B}[2J\u{1B}[1;1H数ab" + end)
    }

    @Test func resizeForcesAFullRedraw() {
        var renderer = Renderer()
        _ = renderer.render(Buffer(width: 3, height: 1))
        let output = text(renderer.render(Buffer(width: 4, height: 1)))
        #expect(output.contains(EscapeSequences.clearScreen))
        renderer.invalidate()
        #expect(
            text(renderer.render(Buffer(width: 4, height: 1))).contains(EscapeSequences.clearScreen))
    }

    @Test func kittyImagesAreSentOnceAndDeletedWhenGone() {
        var renderer = Renderer(usesKittyGraphics: true)
        var buffer = Buffer(width: 10, height: 5)
        ImageView(pixels: [Float](repeating: 0.5, count: 4), width: 2, height: 2, mode: .kitty(id: 7))
            .render(in: buffer.area, buffer: &buffer)
        let first = text(renderer.render(buffer))
        #expect(first.contains("\u{1B}_Ga=T,f=24,s=2,v=2,i=7,"))
        #expect(!text(renderer.render(buffer)).contains("\u{1B}_G"))
        buffer.images.removeAll()
        #expect(text(renderer.render(buffer)).contains("\u{1B}_Ga=d,d=I,i=7,q=2\u{1B}\\"))
    }

    @Test func emptyBuffersRenderWithoutCrashing() {
        var renderer = Renderer()
        _ = renderer.render(Buffer(width: 0, height: 0))
        _ = renderer.render(Buffer(width: 1, height: 1))
        _ = renderer.render(Buffer(width: 0, height: 3))
    }
}
