/// A centred box listing key bindings, drawn over whatever is beneath.
public struct HelpOverlay: Widget {
    /// One binding.
    public struct Entry: Sendable {
        public var keys: String
        public var action: String
        public init(_ keys: String, _ action: String) {
            self.keys = sanitized(keys)
            self.action = sanitized(action)
        }
    }

    public var title: String
    public var entries: [Entry]
    public var style: Style
    public var keyStyle: Style
    public var borderStyle: Style

    public init(
        title: String = "Keys", entries: [Entry], style: Style = .plain,
        keyStyle: Style = Style(attributes: .bold), borderStyle: Style = .plain
    ) {
        self.title = sanitized(title)
        self.entries = entries
        self.style = style
        self.keyStyle = keyStyle
        self.borderStyle = borderStyle
    }

    /// The box the overlay occupies inside `area`.
    public func box(in area: Rect) -> Rect {
        let keyWidth = entries.map { CharacterWidth.of($0.keys) }.max() ?? 0
        let actionWidth = entries.map { CharacterWidth.of($0.action) }.max() ?? 0
        let width = max(keyWidth + actionWidth + 7, CharacterWidth.of(title) + 6)
        return area.centered(width: width, height: entries.count + 2)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        let box = self.box(in: a)
        Clear(style: style).render(in: box, buffer: &buffer)
        let block = Block(
            title: title, kind: .rounded, borderStyle: borderStyle, titleStyle: keyStyle,
            horizontalPadding: 1)
        block.render(in: box, buffer: &buffer)
        let inner = block.inner(box)
        let keyWidth = min(entries.map { CharacterWidth.of($0.keys) }.max() ?? 0, inner.width / 2)
        for (i, entry) in entries.prefix(inner.height).enumerated() {
            let y = inner.y + i
            Line(entry.keys, style: keyStyle).render(x: inner.x, y: y, width: keyWidth, buffer: &buffer)
            Line(entry.action, style: style).render(
                x: inner.x + keyWidth + 2, y: y, width: inner.width - keyWidth - 2,
                buffer: &buffer)
        }
    }
}
