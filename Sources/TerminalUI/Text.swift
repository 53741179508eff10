/// A run of text in one style. The text is sanitized on creation.
public struct Span: Hashable, Sendable {
    public var text: String
    public var style: Style

    /// Creates a span; control characters and escape sequences are removed from `text`.
    public init(_ text: String, style: Style = .plain) {
        self.text = sanitized(text)
        self.style = style
    }

    /// Display width in columns.
    public var width: Int { CharacterWidth.of(text) }
}

/// One line of styled spans.
public struct Line: Hashable, Sendable, ExpressibleByStringLiteral {
    public var spans: [Span]
    /// Alignment within the width it is drawn in.
    public var alignment: Alignment

    public init(_ spans: [Span], alignment: Alignment = .left) {
        self.spans = spans
        self.alignment = alignment
    }

    /// A single-span line.
    public init(_ text: String, style: Style = .plain, alignment: Alignment = .left) {
        self.init([Span(text, style: style)], alignment: alignment)
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// Display width in columns.
    public var width: Int { spans.reduce(0) { $0 + $1.width } }

    /// The plain text.
    public var plainText: String { spans.map(\.text).joined() }

    /// Draws the line at row `y` of `area`, truncating with an ellipsis when it does not fit.
    /// - Returns: the column after the last character.
    @discardableResult
    public func render(x: Int, y: Int, width: Int, buffer: inout Buffer) -> Int {
        guard width > 0 else { return x }
        let total = self.width
        var column = x
        switch alignment {
        case .left: break
        case .center: column += max(0, (width - total) / 2)
        case .right: column += max(0, width - total)
        }
        let end = x + width
        if total <= width {
            for span in spans { column = buffer.setString(span.text, x: column, y: y, style: span.style) }
            return column
        }
        // Too long: fill up to width-1 columns, then an ellipsis in the style of the span cut off.
        var lastStyle = spans.last?.style ?? .plain
        for span in spans {
            let room = end - 1 - column
            if room <= 0 {
                lastStyle = span.style
                break
            }
            if span.width > room {
                column = buffer.setString(
                    truncated(span.text, toWidth: room + 1), x: column, y: y,
                    style: span.style, maxWidth: room + 1)
                return column
            }
            column = buffer.setString(span.text, x: column, y: y, style: span.style)
        }
        buffer.put("…", x: column, y: y, style: lastStyle)
        return column + 1
    }
}

/// Horizontal alignment.
public enum Alignment: Hashable, Sendable { case left, center, right }

/// `text` cut to at most `width` columns, ending in "…" when something was cut (spaces before it dropped).
public func truncated(_ text: String, toWidth width: Int) -> String {
    guard width > 0 else { return "" }
    if CharacterWidth.of(text) <= width { return text }
    var result = ""
    var used = 0
    for c in text {
        let w = CharacterWidth.of(c)
        if used + w > width - 1 { break }
        result.append(c)
        used += w
    }
    // A cut just after a word ends at the word: "Ankle…", not "Ankle …".
    while result.last == " " { result.removeLast() }
    return result + "…"
}

/// `text` cut to at most `width` columns by taking out its middle, marked by one "…": the start and, a
/// little longer, the end stay (names that differ only at the end, as run names with a time, stay apart).
public func truncatedMiddle(_ text: String, toWidth width: Int) -> String {
    guard width > 0 else { return "" }
    if CharacterWidth.of(text) <= width { return text }
    var head = ""
    var headUsed = 0
    for c in text {
        let w = CharacterWidth.of(c)
        if headUsed + w > (width - 1) * 2 / 5 { break }
        head.append(c)
        headUsed += w
    }
    var tail: [Character] = []
    var tailUsed = 0
    for c in text.reversed() {
        let w = CharacterWidth.of(c)
        if tailUsed + w > width - 1 - headUsed { break }
        tail.append(c)
        tailUsed += w
    }
    return head + "…" + String(tail.reversed())
}

/// `text` broken into lines of at most `width` columns at spaces; words longer than a line are split, after
/// the last comma that fits where there is one: a JSON array (`[0.001,0.0005]`) is cut between its numbers,
/// where it was cut inside one ("0.00" on a line, "1" on the next).
public func wrapped(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        var lineWidth = 0
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            var w = String(word)
            var ww = CharacterWidth.of(w)
            if lineWidth > 0 && lineWidth + 1 + ww <= width {
                line += " " + w
                lineWidth += 1 + ww
                continue
            }
            if lineWidth > 0 {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            while ww > width {
                var head = ""
                var hw = 0
                var rest = Substring(w)
                while let c = rest.first, hw + CharacterWidth.of(c) <= width {
                    head.append(c)
                    hw += CharacterWidth.of(c)
                    rest = rest.dropFirst()
                }
                if !rest.isEmpty, head.last != ",", let comma = head.lastIndex(of: ",") {
                    let kept = head[...comma]
                    rest = Substring(w).dropFirst(kept.count)
                    head = String(kept)
                }
                if head.isEmpty { rest = rest.dropFirst() } else { lines.append(head) }
                w = String(rest)
                ww = CharacterWidth.of(w)
            }
            line = w
            lineWidth = ww
        }
        lines.append(line)
    }
    return lines
}

extension Line: Widget {
    /// Draws the line in the first row of `area`.
    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        render(x: a.x, y: a.y, width: a.width, buffer: &buffer)
    }
}
