import Base

/// The printable content of untrusted text, for widgets: `Base.Sanitize.text`, the project's one
/// terminal sanitiser (escape sequences removed whole, C0/C1 controls, DEL and bidirectional overrides
/// removed, tabs as a space). Widgets call this on every string they are given.
/// - Parameters:
///   - text: untrusted text.
///   - keepNewlines: keep `\n` (for multi-line paragraphs).
/// - Returns: the text with only printable content.
public func sanitized(_ text: String, keepNewlines: Bool = false) -> String {
    Sanitize.text(text, keepNewlines: keepNewlines)
}
