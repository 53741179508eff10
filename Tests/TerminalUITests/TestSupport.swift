import Testing

@testable import TerminalUI

/// Renders `widget` into a fresh `width` x `height` buffer.
func rendered(_ widget: some Widget, width: Int, height: Int) -> Buffer {
    var buffer = Buffer(width: width, height: height)
    buffer.render(widget, in: buffer.area)
    return buffer
}

/// The text lines of `widget` rendered at `width` x `height`.
func lines(_ widget: some Widget, width: Int, height: Int) -> [String] {
    rendered(widget, width: width, height: height).lines
}

/// Renders at the awkward sizes every widget must survive (0x0, 1x1, 1xN, Nx1, 3x2).
func renderAtTinySizes(_ widget: some Widget) {
    for (w, h) in [(0, 0), (1, 1), (1, 5), (5, 1), (3, 2), (2, 3)] {
        var buffer = Buffer(width: w, height: h)
        buffer.render(widget, in: buffer.area)
        // Rendering into a rectangle larger than the buffer is clipped, not a crash.
        widget.render(in: Rect(x: -2, y: -1, width: w + 10, height: h + 10), buffer: &buffer)
        #expect(buffer.cells.count == w * h)
    }
}
