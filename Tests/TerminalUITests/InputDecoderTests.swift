import Testing

@testable import TerminalUI

@Suite struct InputDecoderTests {
    func decode(_ text: String) -> [InputEvent] {
        var decoder = InputDecoder()
        return decoder.feed(Array(text.utf8)) + decoder.flush()
    }

    func key(_ k: Key, _ m: KeyModifiers = []) -> InputEvent { .key(KeyEvent(k, modifiers: m)) }

    @Test func printableAndUTF8() {
        #expect(decode("aZ") == [key(.character("a")), key(.character("Z"))])
        #expect(decode("é数📈") == [key(.character("é")), key(.character("数")), key(.character("📈"))])
    }

    @Test func controlKeys() {
        #expect(
            decode("\r\t\u{7F}\u{3}\u{1A}") == [
                key(.enter), key(.tab), key(.backspace), key(.character("c"), .control),
                key(.character("z"), .control),
            ])
    }

    @Test func arrowsHomeEndPages() {
        #expect(
            decode("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D\u{1B}OA") == [
                key(.up), key(.down), key(.right), key(.left), key(.up),
            ])
        #expect(
            decode("\u{1B}[H\u{1B}[F\u{1B}[1~\u{1B}[4~\u{1B}[5~\u{1B}[6~\u{1B}[3~\u{1B}[2~") == [
                key(.home), key(.end), key(.home), key(.end), key(.pageUp), key(.pageDown), key(.delete),
                key(.insert),
            ])
        #expect(
            decode("\u{1B}[1;5C\u{1B}[1;2A\u{1B}[Z") == [
                key(.right, .control), key(.up, .shift), key(.backTab, .shift),
            ])
    }

    @Test func functionKeys() {
        let text =
            "\u{1B}OP\u{1B}OQ\u{1B}OR\u{1B}OS\u{1B}[15~\u{1B}[17~\u{1B}[18~\u{1B}[19~\u{1B}[20~\u{1B}[21~\u{1B}[23~\u{1B}[24~"
        #expect(decode(text) == (1...12).map { key(.function($0)) })
        #expect(decode("\u{1B}[1;2P") == [key(.function(1), .shift)])
    }

    @Test func altCombinations() {
        #expect(decode("\u{1B}x") == [key(.character("x"), .alt)])
        #expect(decode("\u{1B}é") == [key(.character("é"), .alt)])
        #expect(decode("\u{1B}\u{7F}") == [key(.backspace, .alt)])
    }

    @Test func loneEscapeNeedsAFlush() {
        var decoder = InputDecoder()
        #expect(decoder.feed([0x1B]).isEmpty)
        #expect(decoder.hasPendingInput)
        #expect(decoder.flush() == [key(.escape)])
        #expect(decode("\u{1B}\u{1B}") == [key(.escape), key(.escape)])
    }

    @Test func csiU() {
        #expect(
            decode("\u{1B}[97;5u\u{1B}[13u\u{1B}[27u\u{1B}[9;2u") == [
                key(.character("a"), .control), key(.enter), key(.escape), key(.backTab, .shift),
            ])
    }

    @Test func bracketedPaste() {
        #expect(
            decode("\u{1B}[200~hello\nworld\u{1B}[201~x") == [
                .paste("hello\nworld"), key(.character("x")),
            ])
        // Escape sequences inside a paste are content, sanitized, never keys.
        #expect(decode("\u{1B}[200~a\u{1B}[Ab\u{1B}[201~") == [.paste("ab")])
    }

    @Test func sgrMouse() {
        #expect(
            decode("\u{1B}[<0;10;5M\u{1B}[<0;10;5m") == [
                .mouse(MouseEvent(kind: .press(.left), x: 9, y: 4)),
                .mouse(MouseEvent(kind: .release(.left), x: 9, y: 4)),
            ])
        #expect(
            decode("\u{1B}[<64;1;1M\u{1B}[<65;1;1M\u{1B}[<34;3;4M\u{1B}[<20;2;2M") == [
                .mouse(MouseEvent(kind: .scrollUp, x: 0, y: 0)),
                .mouse(MouseEvent(kind: .scrollDown, x: 0, y: 0)),
                .mouse(MouseEvent(kind: .drag(.right), x: 2, y: 3)),
                .mouse(MouseEvent(kind: .press(.left), x: 1, y: 1, modifiers: [.shift, .control])),
            ])
    }

    @Test func splitSequencesDecodeTheSameAsWhole() {
        let text = "a\u{1B}[1;5C数\u{1B}[<0;10;5M\u{1B}[200~paste\u{1B}[201~\u{1B}[15~\u{1B}xé"
        let whole = decode(text)
        #expect(whole.count == 8)
        var decoder = InputDecoder()
        var pieces: [InputEvent] = []
        for byte in Array(text.utf8) { pieces += decoder.feed([byte]) }
        pieces += decoder.flush()
        #expect(pieces == whole)
        // Every split point into two reads.
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var d = InputDecoder()
            let events = d.feed(bytes[..<cut]) + d.feed(bytes[cut...]) + d.flush()
            #expect(events == whole, "split at \(cut)")
        }
    }

    @Test func garbageIsDroppedAndDecodingRecovers() {
        var raw = InputDecoder()
        #expect(raw.feed([0xFF, 0x80, 0xC0, 0x61]) == [key(.character("a"))])
        var decoder = InputDecoder()
        // Invalid UTF-8 continuation, truncated lead byte, an unknown CSI, an over-long CSI.
        var bytes: [UInt8] = [0xE6, 0x41, 0x80, 0xC3]
        bytes += Array("\u{1B}[99;99;99X".utf8)
        bytes += Array("\u{1B}[".utf8) + [UInt8](repeating: 0x31, count: 200) + Array("~".utf8)
        bytes += Array("\u{1B}[?62;4c\u{1B}[?2026;2$y".utf8)  // query replies are not keys
        bytes += Array("ok".utf8)
        let events = decoder.feed(bytes) + decoder.flush()
        #expect(events.suffix(2) == [key(.character("o")), key(.character("k"))])
        #expect(events.first == key(.character("A")))
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix(seed: 1)
        var decoder = InputDecoder()
        for _ in 0..<200 {
            let bytes = (0..<Int(generator.next() % 64)).map { _ in
                UInt8(truncatingIfNeeded: generator.next())
            }
            _ = decoder.feed(bytes)
        }
        _ = decoder.flush()
        #expect(decoder.feed(Array("\u{1B}[201~q".utf8)).last == key(.character("q")))
    }
}
