/// A row of tab titles with the selected one highlighted.
public struct Tabs: Widget {
    public var titles: [String]
    public var selected: Int
    public var style: Style
    public var selectedStyle: Style
    public var divider: String

    /// Creates tabs; titles are sanitized.
    public init(
        titles: [String], selected: Int, style: Style = .plain,
        selectedStyle: Style = Style(attributes: [.bold, .reverse]), divider: String = "│"
    ) {
        self.titles = titles.map { sanitized($0) }
        self.selected = selected
        self.style = style
        self.selectedStyle = selectedStyle
        self.divider = sanitized(divider)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        buffer.setStyle(style, in: a)
        var x = a.x
        for (i, title) in titles.enumerated() {
            if i > 0 {
                guard x < a.right else { break }
                x = buffer.setString(divider, x: x, y: a.y, style: style, maxWidth: a.right - x)
            }
            let room = a.right - x
            guard room > 0 else { break }
            let text = truncated(" " + title + " ", toWidth: room)
            x = buffer.setString(
                text, x: x, y: a.y, style: i == selected ? style.patched(with: selectedStyle) : style,
                maxWidth: room)
        }
    }

    /// The columns each title occupies when rendered in `area` (for mouse clicks); titles cut off at
    /// the right edge get what is visible, titles that do not fit at all an empty range.
    public func columns(in area: Rect) -> [Range<Int>] {
        var x = area.x
        var ranges: [Range<Int>] = []
        for (i, title) in titles.enumerated() {
            if i > 0 { x = min(area.right, x + CharacterWidth.of(divider)) }
            let width = min(max(0, area.right - x), CharacterWidth.of(" " + title + " "))
            ranges.append(x..<(x + width))
            x += width
        }
        return ranges
    }
}
