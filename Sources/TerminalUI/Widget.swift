/// Something that draws itself into a rectangle of a `Buffer`.
///
/// Widgets are plain values rebuilt every frame (immediate mode); nothing is retained between
/// frames. Drawing is clipped to `area` and to the buffer, and any size, including 0x0, is valid.
public protocol Widget {
    /// Draws into `area` of `buffer`.
    func render(in area: Rect, buffer: inout Buffer)
}

extension Buffer {
    /// Draws `widget` into `area`.
    public mutating func render(_ widget: some Widget, in area: Rect) {
        widget.render(in: area.intersection(self.area), buffer: &self)
    }
}

/// Clears its area to blank cells in a style (for overlays drawn over other widgets).
public struct Clear: Widget {
    public var style: Style
    public init(style: Style = .plain) { self.style = style }
    public func render(in area: Rect, buffer: inout Buffer) {
        let r = area.intersection(buffer.area)
        guard !r.isEmpty else { return }
        var cell = Cell.blank
        cell.apply(style)
        for y in r.y..<r.bottom {
            for x in r.x..<r.right { buffer[x, y] = cell }
        }
    }
}
