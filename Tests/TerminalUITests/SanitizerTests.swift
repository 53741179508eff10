import Testing

@testable import TerminalUI

@Suite struct SanitizerTests {
    @Test func plainTextIsUnchanged() {
        #expect(sanitized("run-01 (vae)") == "run-01 (vae)")
        #expect(sanitized("数据 📈 é") == "数据 📈 é")
    }

    @Test func escapeSequencesAreRemovedWhole() {
        #expect(sanitized("a\u{1B}[31mred\u{1B}[0m") == "ared")
        #expect(sanitized("x\u{1B}]0;title\u{07}y") == "xy")
        #expect(sanitized("x\u{1B}]8;;http://e.vil\u{1B}\\link\u{1B}]8;;\u{1B}\\y") == "xlinky")
        #expect(sanitized("x\u{1B}_Gi=1;AAAA\u{1B}\\y") == "xy")
        #expect(sanitized("x\u{1B}Pq#0\u{1B}\\y") == "xy")
        #expect(sanitized("x\u{1B}7y\u{1B}(Bz") == "xyz")
        #expect(sanitized("x\u{9B}2Jy") == "xy")
        #expect(sanitized("x\u{9D}0;t\u{9C}y") == "xy")
    }

    @Test func controlsAreRemoved() {
        #expect(sanitized("a\u{0}b\u{7}c\u{8}d\re\u{7F}f\u{85}g") == "abcdefg")
        #expect(sanitized("a\tb") == "a b")
        #expect(sanitized("a\nb") == "ab")
        #expect(sanitized("a\nb", keepNewlines: true) == "a\nb")
    }

    @Test func bidiOverridesAreRemoved() {
        #expect(sanitized("abc\u{202E}fed\u{2066}x\u{2069}") == "abcfedx")
    }

    @Test func unterminatedSequencesSwallowTheRest() {
        #expect(sanitized("ok\u{1B}]0;never ends") == "ok")
        #expect(sanitized("ok\u{1B}") == "ok")
    }

    @Test func textWidgetsSanitize() {
        let line = Line("a\u{1B}[2Jb")
        #expect(line.plainText == "ab")
        #expect(Block(title: "t\u{1B}]0;x\u{7}").title == "t")
        #expect(Paragraph("p\u{1B}[1mq").lines.first?.plainText == "pq")
    }
}
