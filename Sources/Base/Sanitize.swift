/// Makes text that comes from outside (file names, run names, class names, metadata, arguments) safe to
/// print, so it can never move the cursor, change modes, reorder what the reader sees or smuggle a
/// command into the terminal (OSC 52 clipboard writes, title changes).
///
/// One definition of what is unsafe (`isUnsafe`): every C0 and C1 control, DEL, and the bidirectional
/// override/isolate characters (U+202A-U+202E, U+2066-U+2069). Two ways to make it inert:
/// - `text(_:keepNewlines:)` for widgets: removes whole escape sequences (CSI `ESC [` ... final byte,
///   OSC `ESC ]` ... BEL or ST, the string sequences DCS/SOS/PM/APC ... ST, two-byte `ESC x`), their
///   8-bit C1 forms (U+009B CSI, U+009D OSC, U+0090/98/9E/9F), and every other unsafe scalar.
/// - `line(_:limit:)` for one-line messages (errors, listings): shows each unsafe scalar as `?`, so the
///   reader sees where a hostile byte was (`unknown model '?]0;pwned?'`), and caps the length.
public enum Sanitize {
    /// Whether `scalar` must never reach the terminal as it is: a C0 or C1 control, DEL, or a
    /// bidirectional override or isolate.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// One printable line: each unsafe scalar (including a newline or tab) becomes `?`, and text longer
    /// than `limit` characters is cut there and ends with `…`.
    /// - Parameters:
    ///   - text: untrusted text.
    ///   - limit: the most characters kept before the ellipsis.
    /// - Returns: the text with every unsafe scalar shown as `?`.
    public static func line(_ text: String, limit: Int = 200) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            out.unicodeScalars.append(isUnsafe(scalar) ? "?" : scalar)
            if out.count >= limit { return out + "…" }
        }
        return out
    }

    /// `line(text)` for a message that may name a very long path: where it is longer than `limit`
    /// characters, its first three quarters and its last quarter are kept with `…` between them, so that
    /// the reason after a path of PATH_MAX's length is not the part that is cut off.
    public static func messageLine(_ text: String, limit: Int = 4000) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(isUnsafe(scalar) ? "?" : scalar) }
        let line = String(out)
        guard line.count > limit else { return line }
        let tail = limit / 4
        return String(line.prefix(limit - tail)) + "…" + String(line.suffix(tail))
    }

    /// The printable content of `text`: escape sequences are removed whole, every other unsafe scalar is
    /// removed, tabs become a space; newlines are kept only when `keepNewlines` is true. An escape
    /// sequence that never ends swallows the rest of the text.
    /// - Parameters:
    ///   - text: untrusted text.
    ///   - keepNewlines: keep `\n` (for multi-line paragraphs).
    /// - Returns: the text with only printable content.
    public static func text(_ text: String, keepNewlines: Bool = false) -> String {
        // Fast path: printable ASCII only.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        enum State { case ground, escape, csi, string, stringEscape }
        var state = State.ground
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch state {
            case .ground:
                switch v {
                case 0x1B: state = .escape
                case 0x9B: state = .csi
                case 0x90, 0x98, 0x9D, 0x9E, 0x9F: state = .string
                case 0x09: result.append(" ")
                case 0x0A where keepNewlines: result.append(scalar)
                default: if !isUnsafe(scalar) { result.append(scalar) }
                }
            case .escape:
                switch v {
                case 0x5B: state = .csi  // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string  // ] P X ^ _
                case 0x20...0x2F: break  // intermediate bytes of a two-byte escape: keep consuming
                default: state = .ground  // final byte of `ESC x`
                }
            case .csi:
                // Parameter and intermediate bytes continue; a final byte (0x40-0x7E) ends the sequence.
                if (0x40...0x7E).contains(v) || v > 0x7F { state = .ground }
            case .string:
                if v == 0x07 || v == 0x9C {
                    state = .ground
                } else if v == 0x1B {
                    state = .stringEscape
                }
            case .stringEscape:
                state = v == 0x5C ? .ground : .string
            }
        }
        return String(result)
    }
}
