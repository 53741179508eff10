/// Styled text in a rectangle: wrapped at word boundaries or truncated with an ellipsis.
public struct Paragraph: Widget {
    /// What happens to a line longer than the width.
    public enum Overflow: Sendable { case wrap, truncate }

    public var lines: [Line]
    public var overflow: Overflow
    /// Rows skipped from the top (for scrolling).
    public var scroll: Int
    /// Style applied to the whole area first.
    public var style: Style

    /// Creates a paragraph from styled lines.
    public init(
        _ lines: [Line], overflow: Overflow = .truncate, scroll: Int = 0, style: Style = .plain
    ) {
        self.lines = lines
        self.overflow = overflow
        self.scroll = max(0, scroll)
        self.style = style
    }

    /// Creates a paragraph from plain text (newlines separate lines; text is sanitized).
    public init(
        _ text: String, style: Style = .plain, overflow: Overflow = .wrap, alignment: Alignment = .left
    ) {
        let clean = sanitized(text, keepNewlines: true)
        self.init(
            clean.split(separator: "\n", omittingEmptySubsequences: false).map {
                Line(String($0), style: style, alignment: alignment)
            }, overflow: overflow, style: .plain)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        buffer.setStyle(style, in: a)
        var rows: [Line] = []
        switch overflow {
        case .truncate: rows = lines
        case .wrap:
            for line in lines {
                if line.width <= a.width {
                    rows.append(line)
                } else if line.spans.count == 1 {
                    for piece in wrapped(line.spans[0].text, width: a.width) {
                        rows.append(Line([Span(piece, style: line.spans[0].style)], alignment: line.alignment))
                    }
                } else {
                    rows.append(contentsOf: wrapSpans(line, width: a.width))
                }
            }
        }
        for (i, line) in rows.dropFirst(scroll).prefix(a.height).enumerated() {
            line.render(x: a.x, y: a.y + i, width: a.width, buffer: &buffer)
        }
    }

    /// Wraps a multi-span line character by character at the width, keeping styles.
    private func wrapSpans(_ line: Line, width: Int) -> [Line] {
        var result: [Line] = []
        var current: [Span] = []
        var used = 0
        for span in line.spans {
            var piece = ""
            for c in span.text {
                let w = CharacterWidth.of(c)
                if used + w > width {
                    if !piece.isEmpty { current.append(Span(piece, style: span.style)) }
                    result.append(Line(current, alignment: line.alignment))
                    current = []
                    piece = ""
                    used = 0
                }
                piece.append(c)
                used += w
            }
            if !piece.isEmpty { current.append(Span(piece, style: span.style)) }
        }
        if !current.isEmpty { result.append(Line(current, alignment: line.alignment)) }
        return result
    }
}
