/// Strips control characters and terminal escape sequences from text that comes from outside
/// (file names, run names, class names, metadata) so it can never move the cursor, change modes or
/// smuggle a command into the terminal.
///
/// Removed: whole escape sequences (CSI `ESC [` ... final byte, OSC `ESC ]` ... BEL or ST, the
/// string sequences DCS/SOS/PM/APC ... ST, two-byte `ESC x`), their 8-bit C1 forms (U+009B CSI,
/// U+009D OSC, U+0090/98/9E/9F), every other C0 and C1 control and DEL, and the bidirectional
/// override/isolate characters (U+202A-U+202E, U+2066-U+2069). Tabs become a space; newlines are
/// kept only when `keepNewlines` is true.
/// - Parameters:
///   - text: untrusted text.
///   - keepNewlines: keep `\n` (for multi-line paragraphs).
/// - Returns: the text with only printable content.
public func sanitized(_ text: String, keepNewlines: Bool = false) -> String {
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
            case 0x00..<0x20, 0x7F..<0xA0, 0x202A...0x202E, 0x2066...0x2069: break
            default: result.append(scalar)
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
