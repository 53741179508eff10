/// Rows of text in columns, with a header, a selected row and scrolling.
///
/// The widget keeps no state: pass the scroll offset you keep, and `Table.scrollOffset(...)` to
/// update it so the selection stays visible.
public struct Table: Widget {
    /// A column: its title, how wide it is, and where a cell too long for it is cut.
    public struct Column: Sendable {
        public var title: String
        public var width: Constraint
        public var alignment: Alignment
        public var truncation: Truncation
        public init(
            _ title: String, width: Constraint = .fill(1), alignment: Alignment = .left, truncation: Truncation = .end
        ) {
            self.title = sanitized(title)
            self.width = width
            self.alignment = alignment
            self.truncation = truncation
        }
    }

    /// Where a cell longer than its column is cut, marked by "…".
    public enum Truncation: Sendable {
        /// At the end (`truncated`).
        case end
        /// In the middle, keeping the start and the end (`truncatedMiddle`): for names that differ at the end.
        case middle
    }

    public var columns: [Column]
    /// Cell texts, row by row (sanitized when drawn; missing cells are blank).
    public var rows: [[String]]
    public var selected: Int?
    /// First row shown (adjusted so that the selection is visible).
    public var scrollOffset: Int
    public var headerStyle: Style
    public var style: Style
    public var selectedStyle: Style
    /// Whether the first row shows the column titles; without it every row shows cells.
    public var showsHeader: Bool

    public init(
        columns: [Column], rows: [[String]], selected: Int? = nil, scrollOffset: Int = 0,
        headerStyle: Style = Style(attributes: .bold), style: Style = .plain,
        selectedStyle: Style = Style(attributes: .reverse), showsHeader: Bool = true
    ) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.scrollOffset = scrollOffset
        self.headerStyle = headerStyle
        self.style = style
        self.selectedStyle = selectedStyle
        self.showsHeader = showsHeader
    }

    /// The width of a column that fits its title and its widest cell, at most `limit`: for the columns beside
    /// a `.fill` one, which then gets every column they leave.
    public static func fittedWidth(_ title: String, _ cells: [String], atMost limit: Int) -> Int {
        min(limit, cells.reduce(CharacterWidth.of(sanitized(title))) { max($0, CharacterWidth.of(sanitized($1))) })
    }

    /// The scroll offset that keeps `selected` visible in `visibleRows`, moving as little as possible
    /// from `current`, and never past the end.
    public static func scrollOffset(selected: Int?, current: Int, visibleRows: Int, rowCount: Int)
        -> Int
    {
        guard visibleRows > 0 else { return 0 }
        var offset = max(0, min(current, rowCount - visibleRows))
        if let s = selected {
            if s < offset { offset = s }
            if s >= offset + visibleRows { offset = s - visibleRows + 1 }
        }
        return max(0, offset)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        buffer.setStyle(style, in: a)
        let header = showsHeader ? 1 : 0
        let visible = a.height - header
        // Keep the last column for the scroll indicator when rows are hidden.
        let scrolls = rows.count > visible && visible > 0 && a.width >= 2
        let columnsArea = Rect(x: a.x, y: a.y, width: a.width - (scrolls ? 1 : 0), height: a.height)
        let parts = Layout.horizontal(columns.map(\.width), spacing: 1).split(columnsArea)
        for (column, part) in zip(columns, parts) where showsHeader && part.width > 0 {
            Line(column.title, style: headerStyle, alignment: column.alignment)
                .render(x: part.x, y: a.y, width: part.width, buffer: &buffer)
        }
        guard visible > 0 else { return }
        let offset = Table.scrollOffset(
            selected: selected, current: scrollOffset, visibleRows: visible,
            rowCount: rows.count)
        for (i, row) in rows.dropFirst(offset).prefix(visible).enumerated() {
            let y = a.y + header + i
            let isSelected = selected == offset + i
            if isSelected {
                buffer.setStyle(selectedStyle, in: Rect(x: a.x, y: y, width: a.width, height: 1))
            }
            for (c, part) in parts.enumerated() where part.width > 0 && c < row.count {
                let text =
                    columns[c].truncation == .middle ? truncatedMiddle(sanitized(row[c]), toWidth: part.width) : row[c]
                Line(text, alignment: columns[c].alignment).render(x: part.x, y: y, width: part.width, buffer: &buffer)
            }
        }
        // A scroll indicator when rows are hidden.
        if scrolls {
            let position =
                rows.count > visible ? offset * (visible - 1) / max(1, rows.count - visible) : 0
            buffer.put("▐", x: a.right - 1, y: a.y + header + position, style: headerStyle)
        }
    }
}
