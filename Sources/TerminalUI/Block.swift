/// A box with borders and a title around other widgets.
///
/// `inner(_:)` gives the rectangle left for content. With no room for borders (width or height
/// under 2) the block draws only what fits.
public struct Block: Widget {
    /// Which sides get a border.
    public struct Borders: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let top = Borders(rawValue: 1)
        public static let bottom = Borders(rawValue: 2)
        public static let left = Borders(rawValue: 4)
        public static let right = Borders(rawValue: 8)
        public static let all: Borders = [.top, .bottom, .left, .right]
        public static let none: Borders = []
    }

    /// The line glyphs.
    public enum BorderKind: Sendable {
        case plain, rounded, double, thick

        var glyphs:
            (
                horizontal: Character, vertical: Character, topLeft: Character, topRight: Character,
                bottomLeft: Character, bottomRight: Character
            )
        {
            switch self {
            case .plain: return ("─", "│", "┌", "┐", "└", "┘")
            case .rounded: return ("─", "│", "╭", "╮", "╰", "╯")
            case .double: return ("═", "║", "╔", "╗", "╚", "╝")
            case .thick: return ("━", "┃", "┏", "┓", "┗", "┛")
            }
        }
    }

    public var title: String?
    public var borders: Borders
    public var kind: BorderKind
    public var borderStyle: Style
    public var titleStyle: Style
    /// Style applied to the whole area first (e.g. a background).
    public var style: Style
    /// Columns of padding inside the border on the left and right.
    public var horizontalPadding: Int

    /// Creates a block.
    /// - Parameters:
    ///   - title: shown in the top border (sanitized, truncated with an ellipsis).
    ///   - borders: the sides to draw.
    ///   - kind: the glyph set.
    public init(
        title: String? = nil, borders: Borders = .all, kind: BorderKind = .rounded,
        borderStyle: Style = .plain, titleStyle: Style = .plain, style: Style = .plain,
        horizontalPadding: Int = 0
    ) {
        self.title = title.map { sanitized($0) }
        self.borders = borders
        self.kind = kind
        self.borderStyle = borderStyle
        self.titleStyle = titleStyle
        self.style = style
        self.horizontalPadding = horizontalPadding
    }

    /// A block styled from a theme.
    public static func themed(_ title: String?, theme: Theme, focused: Bool = false) -> Block {
        Block(
            title: title, borderStyle: focused ? Style(foreground: theme.accent) : theme.borderStyle,
            titleStyle: focused ? theme.accentStyle : Style(foreground: theme.text, attributes: .bold))
    }

    /// The rectangle inside the borders and padding.
    public func inner(_ area: Rect) -> Rect {
        var r = area
        if borders.contains(.left) {
            r.x += 1
            r.width = max(0, r.width - 1)
        }
        if borders.contains(.right) { r.width = max(0, r.width - 1) }
        if borders.contains(.top) {
            r.y += 1
            r.height = max(0, r.height - 1)
        }
        if borders.contains(.bottom) { r.height = max(0, r.height - 1) }
        return r.inset(horizontal: min(horizontalPadding, r.width / 2))
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        buffer.setStyle(style, in: a)
        let g = kind.glyphs
        let left = a.x
        let right = a.right - 1
        let top = a.y
        let bottom = a.bottom - 1
        if borders.contains(.top) {
            for x in left...right { buffer.put(g.horizontal, x: x, y: top, style: borderStyle) }
        }
        if borders.contains(.bottom) {
            for x in left...right { buffer.put(g.horizontal, x: x, y: bottom, style: borderStyle) }
        }
        if borders.contains(.left) {
            for y in top...bottom { buffer.put(g.vertical, x: left, y: y, style: borderStyle) }
        }
        if borders.contains(.right) {
            for y in top...bottom { buffer.put(g.vertical, x: right, y: y, style: borderStyle) }
        }
        if a.width >= 2 && a.height >= 2 {
            if borders.contains([.top, .left]) {
                buffer.put(g.topLeft, x: left, y: top, style: borderStyle)
            }
            if borders.contains([.top, .right]) {
                buffer.put(g.topRight, x: right, y: top, style: borderStyle)
            }
            if borders.contains([.bottom, .left]) {
                buffer.put(g.bottomLeft, x: left, y: bottom, style: borderStyle)
            }
            if borders.contains([.bottom, .right]) {
                buffer.put(g.bottomRight, x: right, y: bottom, style: borderStyle)
            }
        }
        if let title, !title.isEmpty, borders.contains(.top) {
            let start = left + (borders.contains(.left) ? 1 : 0)
            let end = right - (borders.contains(.right) ? 1 : 0)
            let room = end - start + 1 - 2
            guard room > 0 else { return }
            let text = " " + truncated(title, toWidth: room) + " "
            buffer.setString(text, x: start, y: top, style: titleStyle, maxWidth: room + 2)
        }
    }
}
