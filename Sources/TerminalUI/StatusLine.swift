/// A one-row bar with segments on the left and on the right (the right side wins when space is short
/// only after the left is truncated).
public struct StatusLine: Widget {
    public var left: [Span]
    public var right: [Span]
    public var style: Style

    public init(left: [Span], right: [Span] = [], style: Style = Style(attributes: .reverse)) {
        self.left = left
        self.right = right
        self.style = style
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        let row = Rect(x: a.x, y: a.y, width: a.width, height: 1)
        buffer.fill(row, style: style)
        let rightLine = Line(right.map { Span($0.text, style: style.patched(with: $0.style)) })
        let rightWidth = min(rightLine.width, a.width / 2)
        let leftLine = Line(left.map { Span($0.text, style: style.patched(with: $0.style)) })
        leftLine.render(
            x: a.x, y: a.y, width: max(0, a.width - rightWidth - (rightWidth > 0 ? 1 : 0)),
            buffer: &buffer)
        if rightWidth > 0 {
            rightLine.render(x: a.right - rightWidth, y: a.y, width: rightWidth, buffer: &buffer)
        }
    }
}

/// Shown instead of a screen when the terminal is smaller than the screen needs:
/// "terminal too small (needs WxH)", centred and truncated to fit.
public struct TerminalTooSmall: Widget {
    public var minimumWidth: Int
    public var minimumHeight: Int
    public var style: Style

    public init(minimumWidth: Int, minimumHeight: Int, style: Style = .plain) {
        self.minimumWidth = minimumWidth
        self.minimumHeight = minimumHeight
        self.style = style
    }

    /// The message.
    public var message: String { "terminal too small (needs \(minimumWidth)x\(minimumHeight))" }

    /// Whether `area` is too small.
    public func applies(to area: Rect) -> Bool {
        area.width < minimumWidth || area.height < minimumHeight
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        Clear(style: style).render(in: a, buffer: &buffer)
        // The whole sentence where it fits, else shorter ones, so that the size to make the terminal shows
        // wherever it can (cut to the rows there were, 12x2 showed "terminal too" / "small (needs").
        let size = "\(minimumWidth)x\(minimumHeight)"
        let lines =
            [message, "too small (needs \(size))", "needs \(size)", size].lazy.map { wrapped($0, width: a.width) }
            .first { $0.count <= a.height } ?? wrapped(size, width: a.width)
        let top = a.y + max(0, (a.height - lines.count) / 2)
        for (i, text) in lines.prefix(a.height).enumerated() {
            Line(text, style: style, alignment: .center).render(
                x: a.x, y: top + i, width: a.width, buffer: &buffer)
        }
    }
}

extension Buffer {
    /// Draws `TerminalTooSmall` over the whole buffer when it is smaller than `width` x `height`.
    /// - Returns: true when the buffer was too small (the caller should draw nothing else).
    public mutating func showTooSmallIfNeeded(
        minimumWidth width: Int, minimumHeight height: Int,
        style: Style = .plain
    ) -> Bool {
        let notice = TerminalTooSmall(minimumWidth: width, minimumHeight: height, style: style)
        guard notice.applies(to: area) else { return false }
        render(notice, in: area)
        return true
    }
}
