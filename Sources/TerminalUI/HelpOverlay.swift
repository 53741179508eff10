/// A centred box listing key bindings, drawn over whatever is beneath. When the entries do not fit the
/// box's height, they are split into pages: `page` picks one (wrapping around, so a caller can count up
/// and down freely) and the last row says which page is shown and how to turn it.
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
    /// The page shown when the entries need more than one (taken modulo the page count).
    public var page: Int

    public init(
        title: String = "Keys", entries: [Entry], style: Style = .plain,
        keyStyle: Style = Style(attributes: .bold), borderStyle: Style = .plain, page: Int = 0
    ) {
        self.title = sanitized(title)
        self.entries = entries
        self.style = style
        self.keyStyle = keyStyle
        self.borderStyle = borderStyle
        self.page = page
    }

    /// The box the overlay occupies inside `area` (wide enough for the page line when there are pages).
    public func box(in area: Rect) -> Rect {
        let keyWidth = entries.map { CharacterWidth.of($0.keys) }.max() ?? 0
        let actionWidth = entries.map { CharacterWidth.of($0.action) }.max() ?? 0
        var width = max(keyWidth + actionWidth + 7, CharacterWidth.of(title) + 6)
        let height = min(entries.count + 2, area.height)
        if let count = pageCount(innerHeight: height - 2) {
            width = max(width, CharacterWidth.of(HelpOverlay.pageLine(count, of: count)) + 4)
        }
        return area.centered(width: width, height: height)
    }

    /// The number of pages the entries take in `area`: 1 when they fit.
    public func pageCount(in area: Rect) -> Int {
        pageCount(innerHeight: min(entries.count + 2, area.height) - 2) ?? 1
    }

    /// The number of pages when the entries do not fit `innerHeight` rows (each page leaves its last row
    /// to the page line), or nil when they fit or no page would hold an entry.
    private func pageCount(innerHeight: Int) -> Int? {
        guard entries.count > innerHeight, innerHeight >= 2 else { return nil }
        return (entries.count + innerHeight - 2) / (innerHeight - 1)
    }

    /// The last row of a page.
    private static func pageLine(_ page: Int, of count: Int) -> String {
        "page \(page)/\(count) · ↓ ↑ turn · other keys close"
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
        var shown = entries[...]
        if let pageCount = pageCount(innerHeight: inner.height) {
            // Pages of all rows but the last, which names the page.
            let perPage = inner.height - 1
            let index = ((page % pageCount) + pageCount) % pageCount
            shown = entries[(index * perPage)..<min(entries.count, (index + 1) * perPage)]
            Line(HelpOverlay.pageLine(index + 1, of: pageCount), style: keyStyle).render(
                x: inner.x, y: inner.y + inner.height - 1, width: inner.width, buffer: &buffer)
        }
        for (i, entry) in shown.prefix(inner.height).enumerated() {
            let y = inner.y + i
            Line(entry.keys, style: keyStyle).render(x: inner.x, y: y, width: keyWidth, buffer: &buffer)
            Line(entry.action, style: style).render(
                x: inner.x + keyWidth + 2, y: y, width: inner.width - keyWidth - 2,
                buffer: &buffer)
        }
    }
}
