/// A centred box listing key bindings, drawn over whatever is beneath. A description longer than the box
/// is wide wraps onto the rows below it, under its own column. When the rows do not fit the box's height,
/// they are split into pages: `page` picks one (wrapping around, so a caller can count up and down freely)
/// and the last row says which page is shown and how to turn it.
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

    /// Where the overlay goes in an area: its box, the keys' column width, its rows (the keys on an
    /// entry's first row only) and the number of pages they take.
    private struct Arrangement {
        var box: Rect
        var keyWidth: Int
        var rows: [(keys: String, action: String)]
        var pageCount: Int?
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
        arrangement(in: area).box
    }

    /// The number of pages the entries take in `area`: 1 when they fit.
    public func pageCount(in area: Rect) -> Int {
        arrangement(in: area).pageCount ?? 1
    }

    /// The box as wide as the longest entry (at most `area`'s width), the descriptions wrapped to it, and
    /// as tall as the rows (at most `area`'s height); when they take pages, wide enough for the page line.
    private func arrangement(in area: Rect) -> Arrangement {
        let keyWidth = entries.map { CharacterWidth.of($0.keys) }.max() ?? 0
        let actionWidth = entries.map { CharacterWidth.of($0.action) }.max() ?? 0
        var width = max(keyWidth + actionWidth + 7, CharacterWidth.of(title) + 6)
        var arrangement = arranged(width: width, keyWidth: keyWidth, in: area)
        if let count = arrangement.pageCount {
            width = max(width, CharacterWidth.of(HelpOverlay.pageLine(count, of: count)) + 4)
            arrangement = arranged(width: width, keyWidth: keyWidth, in: area)
        }
        return arrangement
    }

    /// The arrangement in a box `width` wide (cut to `area`).
    private func arranged(width: Int, keyWidth: Int, in area: Rect) -> Arrangement {
        let innerWidth = min(width, area.width) - 4
        let keys = min(keyWidth, max(0, innerWidth / 2))
        let actionWidth = max(1, innerWidth - keys - 2)
        let rows = entries.flatMap { entry -> [(keys: String, action: String)] in
            let lines = wrapped(entry.action, width: actionWidth)
            return (lines.isEmpty ? [""] : lines).enumerated().map { ($0 == 0 ? entry.keys : "", $1) }
        }
        let box = area.centered(width: width, height: rows.count + 2)
        return Arrangement(
            box: box, keyWidth: keys, rows: rows, pageCount: pageCount(rows.count, innerHeight: box.height - 2))
    }

    /// The number of pages `rowCount` rows take when they do not fit `innerHeight` rows (each page leaves
    /// its last row to the page line), or nil when they fit or no page would hold a row.
    private func pageCount(_ rowCount: Int, innerHeight: Int) -> Int? {
        guard rowCount > innerHeight, innerHeight >= 2 else { return nil }
        return (rowCount + innerHeight - 2) / (innerHeight - 1)
    }

    /// The last row of a page.
    private static func pageLine(_ page: Int, of count: Int) -> String {
        "page \(page)/\(count) · ↓ ↑ turn · other keys close"
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        let arrangement = self.arrangement(in: a)
        let box = arrangement.box
        Clear(style: style).render(in: box, buffer: &buffer)
        let block = Block(
            title: title, kind: .rounded, borderStyle: borderStyle, titleStyle: keyStyle,
            horizontalPadding: 1)
        block.render(in: box, buffer: &buffer)
        let inner = block.inner(box)
        let keyWidth = arrangement.keyWidth
        var shown = arrangement.rows[...]
        if let pageCount = arrangement.pageCount {
            // Pages of all rows but the last, which names the page.
            let perPage = inner.height - 1
            let index = ((page % pageCount) + pageCount) % pageCount
            shown = shown[(index * perPage)..<min(shown.count, (index + 1) * perPage)]
            Line(HelpOverlay.pageLine(index + 1, of: pageCount), style: keyStyle).render(
                x: inner.x, y: inner.y + inner.height - 1, width: inner.width, buffer: &buffer)
        }
        for (i, row) in shown.prefix(inner.height).enumerated() {
            let y = inner.y + i
            Line(row.keys, style: keyStyle).render(x: inner.x, y: y, width: keyWidth, buffer: &buffer)
            Line(row.action, style: style).render(
                x: inner.x + keyWidth + 2, y: y, width: inner.width - keyWidth - 2,
                buffer: &buffer)
        }
    }
}
