import Testing

@testable import Base

@Suite struct SanitizeTests {
    // MARK: text: what widgets show

    @Test func plainTextIsUnchanged() {
        #expect(Sanitize.text("run-01 (vae)") == "run-01 (vae)")
        #expect(Sanitize.text("数据 📈 é") == "数据 📈 é")
        #expect(Sanitize.line("数据 📈 é") == "数据 📈 é")
    }

    @Test func escapeSequencesAreRemovedWhole() {
        #expect(Sanitize.text("a\u{1B}[31mred\u{1B}[0m") == "ared")
        #expect(Sanitize.text("x\u{1B}]0;title\u{07}y") == "xy")
        #expect(Sanitize.text("x\u{1B}]8;;http://e.vil\u{1B}\\link\u{1B}]8;;\u{1B}\\y") == "xlinky")
        #expect(Sanitize.text("x\u{1B}_Gi=1;AAAA\u{1B}\\y") == "xy")
        #expect(Sanitize.text("x\u{1B}Pq#0\u{1B}\\y") == "xy")
        #expect(Sanitize.text("x\u{1B}7y\u{1B}(Bz") == "xyz")
        #expect(Sanitize.text("x\u{9B}2Jy") == "xy")
        #expect(Sanitize.text("x\u{9D}0;t\u{9C}y") == "xy")
    }

    @Test func controlsAreRemoved() {
        #expect(Sanitize.text("a\u{0}b\u{7}c\u{8}d\re\u{7F}f\u{85}g") == "abcdefg")
        #expect(Sanitize.text("a\tb") == "a b")
        #expect(Sanitize.text("a\nb") == "ab")
        #expect(Sanitize.text("a\nb", keepNewlines: true) == "a\nb")
    }

    @Test func bidiOverridesAreRemoved() {
        #expect(Sanitize.text("abc\u{202E}fed\u{2066}x\u{2069}") == "abcfedx")
    }

    @Test func unterminatedSequencesSwallowTheRest() {
        #expect(Sanitize.text("ok\u{1B}]0;never ends") == "ok")
        #expect(Sanitize.text("ok\u{1B}") == "ok")
    }

    // MARK: line: what messages and listings print

    @Test func lineShowsEachUnsafeScalarAsAQuestionMark() {
        #expect(Sanitize.line("\u{1B}]0;pwned\u{07}") == "?]0;pwned?")
        #expect(Sanitize.line("a\nb\tc\u{7F}d\u{9B}e") == "a?b?c?d?e")
    }

    @Test func lineCapsItsLength() {
        #expect(Sanitize.line("abcdef", limit: 3) == "abc…")
        #expect(Sanitize.line("ab", limit: 3) == "ab")
    }

    /// Regression: an error naming a path of about 4,100 characters was cut at 4,000, and with it the
    /// reason after the path. A message keeps its start and its end, cut in the middle.
    @Test func aMessageLineIsCutInTheMiddleSoItsEndStays() {
        let path = "/" + String(repeating: "d", count: 4100)
        let line = Sanitize.messageLine("cannot read '\(path)': File name too long\u{07}")
        #expect(line.count == 4001)
        #expect(line.hasPrefix("cannot read '/ddd"))
        #expect(line.hasSuffix("ddd': File name too long?"))
        #expect(line.contains("d…d"))
        #expect(Sanitize.messageLine("short\n") == "short?")
        #expect(Sanitize.messageLine("abcdefgh", limit: 4) == "abc…h")
    }

    /// Regression: Engine's own `Sanitize.line` (used for run names, config values and every error
    /// line) let the bidirectional overrides through, so a run named `run\u{202E}gpj.exe` printed as
    /// `runexe.jpg`. There is now one sanitiser, and both of its forms make them inert.
    @Test func bidiOverridesAreStrippedFromRunNamesAndMessages() {
        let overrides: [Unicode.Scalar] = [
            "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}",
        ]
        for scalar in overrides {
            let name = "run" + String(Character(scalar)) + "gpj.exe"
            let line = Sanitize.line(name)
            #expect(!line.unicodeScalars.contains(scalar), "U+\(String(scalar.value, radix: 16, uppercase: true))")
            #expect(line == "run?gpj.exe")
            #expect(Sanitize.text(name) == "rungpj.exe")
            #expect(Sanitize.isUnsafe(scalar))
        }
        #expect(!Sanitize.isUnsafe("\u{2029}") && !Sanitize.isUnsafe("\u{2070}") && !Sanitize.isUnsafe("\u{2065}"))
    }
}
