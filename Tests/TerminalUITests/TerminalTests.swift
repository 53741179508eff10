import Foundation
import Testing

@testable import TerminalUI

@Suite struct TerminalTests {
    @Test func nonTerminalOutputThrowsWithoutWritingEscapes() {
        guard isatty(STDOUT_FILENO) == 0 || isatty(STDIN_FILENO) == 0 else { return }
        #expect(throws: TerminalError.self) { _ = try Terminal() }
        let message = TerminalError.notATerminal("stdout").description
        #expect(message.contains("headless commands"))
    }

    @Test func deviceAttributesReplyIsRecognised() {
        #expect(TerminalReplies.containsDeviceAttributes(Array("\u{1B}[?62;22c".utf8)))
        #expect(TerminalReplies.containsDeviceAttributes(Array("xx\u{1B}[?1;2c".utf8)))
        #expect(!TerminalReplies.containsDeviceAttributes(Array("\u{1B}[?62;22".utf8)))
        #expect(!TerminalReplies.containsDeviceAttributes(Array("\u{1B}[62c".utf8)))
    }

    @Test func kittyReplyDetectionAndRemoval() {
        let reply = Array("\u{1B}_Gi=31;OK\u{1B}\\a\u{1B}[?62c".utf8)
        #expect(KittyGraphics.replySupportsGraphics(reply))
        #expect(!KittyGraphics.replySupportsGraphics(Array("\u{1B}[?62c".utf8)))
        #expect(!KittyGraphics.replySupportsGraphics(Array("\u{1B}_Gi=31;ENOTSUPPORTED\u{1B}\\".utf8)))
        #expect(TerminalReplies.removingGraphicsReplies(reply) == Array("a\u{1B}[?62c".utf8))
    }

    @Test func rawModeClearsSignalsAndEcho() {
        var t = termios()
        t.c_lflag = tcflag_t(ISIG | ICANON | ECHO)
        let raw = Platform.rawMode(from: t)
        #expect(raw.c_lflag & tcflag_t(ISIG) == 0)
        #expect(raw.c_lflag & tcflag_t(ICANON) == 0)
        #expect(raw.c_lflag & tcflag_t(ECHO) == 0)
    }

    @Test func restoreSequenceIsTheReverseOfSetup() {
        // Documented order: modes off, then cursor and screen; termios last (in code).
        let restore = EscapeSequences.disableBracketedPaste + EscapeSequences.enableAutowrap
        #expect(!restore.isEmpty)
        #expect(EscapeSequences.moveCursor(x: 0, y: 0) == "\u{1B}[1;1H")
    }
}

@Suite struct TerminalUIBenchmarkTests {
    @Test func producesJSONAndText() {
        let result = TerminalUIBenchmark.run(frames: 3)
        #expect(result.width == 200 && result.height == 60)
        #expect(result.fullFrameBytes > result.chartChangedBytes)
        #expect(result.unchangedFrameBytes == 16)
        #expect(result.json.hasPrefix("{\"benchmark\":\"tui\""))
        #expect(result.text.contains("full frame"))
        let data = Data(result.json.utf8)
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil)
    }

    @Test func galleryRendersAtCommonAndTinySizes() {
        var state = GalleryState(theme: .dark, colorDepth: .trueColor, kittyGraphics: false)
        for (w, h) in [(200, 60), (80, 24), (60, 18), (20, 5), (1, 1), (0, 0)] {
            for page in 0..<GalleryState.pageTitles.count {
                state.page = page
                state.showHelp = page == 1
                var buffer = Buffer(width: w, height: h)
                state.render(into: &buffer)
                #expect(buffer.cells.count == w * h)
            }
        }
        var small = Buffer(width: 40, height: 10)
        state.render(into: &small)
        #expect(small.lines.joined().contains("terminal too small"))
        _ = state.handle(.key(.character("q")))
        #expect(state.quit)
    }
}
