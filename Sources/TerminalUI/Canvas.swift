/// A drawing surface finer than cells, shared by the charts: braille (2x4 dots per cell, one
/// colour per cell) or half blocks (1x2 pixels per cell, each pixel its own colour).
///
/// Pixel coordinates run from the top-left; data coordinates map `xRange` left to right and
/// `yRange` bottom to top. Nothing outside the canvas is drawn.
public struct Canvas: Sendable {
    /// How sub-cell pixels become characters.
    public enum Marker: Sendable, Hashable {
        /// Braille patterns U+2800-U+28FF: 2x4 dots per cell; the last colour drawn in a cell wins.
        case braille
        /// Upper/lower half blocks: 1x2 pixels per cell with independent colours.
        case halfBlock
    }

    public let marker: Marker
    /// Size in cells.
    public let columns: Int
    public let rows: Int
    /// Size in pixels.
    public let pixelWidth: Int
    public let pixelHeight: Int
    /// Data range mapped onto the width.
    public var xRange: ClosedRange<Double>
    /// Data range mapped onto the height (low at the bottom).
    public var yRange: ClosedRange<Double>

    // Braille: one dot mask and one colour per cell. Half block: one colour per pixel (raw, empty = max).
    private var masks: [UInt8]
    private var colors: [UInt32]
    private static let empty = UInt32.max

    /// Creates an empty canvas of `columns` x `rows` cells.
    public init(
        columns: Int, rows: Int, marker: Marker = .braille,
        xRange: ClosedRange<Double> = 0...1, yRange: ClosedRange<Double> = 0...1
    ) {
        self.marker = marker
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        pixelWidth = self.columns * (marker == .braille ? 2 : 1)
        pixelHeight = self.rows * (marker == .braille ? 4 : 2)
        self.xRange = xRange
        self.yRange = yRange
        masks = marker == .braille ? [UInt8](repeating: 0, count: self.columns * self.rows) : []
        colors = [UInt32](
            repeating: Canvas.empty,
            count: marker == .braille ? self.columns * self.rows : pixelWidth * pixelHeight)
    }

    /// Braille dot bits by (column 0-1, row 0-3) within a cell, per the Unicode braille layout.
    private static let dotBits: [UInt8] = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]

    /// Lights pixel `(x, y)` in `color`; ignored outside the canvas.
    @inline(__always)
    public mutating func set(x: Int, y: Int, color: Color) {
        guard x >= 0, y >= 0, x < pixelWidth, y < pixelHeight else { return }
        if marker == .braille {
            let cell = (y >> 2) * columns + (x >> 1)
            masks[cell] |= Canvas.dotBits[(y & 3) << 1 | (x & 1)]
            colors[cell] = color.raw
        } else {
            colors[y * pixelWidth + x] = color.raw
        }
    }

    /// The pixel column of data value `x` (may lie outside the canvas).
    @inline(__always)
    public func pixelX(_ x: Double) -> Int {
        Canvas.pixel(Canvas.fraction(x, in: xRange), of: pixelWidth)
    }

    /// The pixel row of data value `y` (may lie outside the canvas).
    @inline(__always)
    public func pixelY(_ y: Double) -> Int {
        pixelHeight - 1 - Canvas.pixel(Canvas.fraction(y, in: yRange), of: pixelHeight)
    }

    /// How far along `range` `value` lies: 0 at its lower bound, 1 at its upper bound (0.5 for an empty
    /// range). A range or distance beyond the largest Double is measured on halved values instead.
    @inline(__always)
    static func fraction(_ value: Double, in range: ClosedRange<Double>) -> Double {
        let (low, high) = (range.lowerBound, range.upperBound)
        guard high > low else { return 0.5 }
        let (span, offset) = (high - low, value - low)
        if span.isFinite && offset.isFinite { return offset / span }
        return (value / 2 - low / 2) / (high / 2 - low / 2)
    }

    /// The pixel a `fraction` of the way across `pixels` pixels. A point far outside the range stays far
    /// outside the canvas (a billion widths at most) instead of overflowing `Int`; NaN lies off it too.
    @inline(__always)
    static func pixel(_ fraction: Double, of pixels: Int) -> Int {
        let limit = 1e9
        let t = fraction.isNaN ? limit : Swift.max(-limit, Swift.min(limit, fraction))
        return Int((t * Double(pixels - 1)).rounded())
    }

    /// Plots a data point.
    public mutating func point(x: Double, y: Double, color: Color) {
        guard x.isFinite, y.isFinite else { return }
        set(x: pixelX(x), y: pixelY(y), color: color)
    }

    /// Draws a data-space line segment.
    public mutating func line(
        from a: (x: Double, y: Double), to b: (x: Double, y: Double), color: Color
    ) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        // Clamp far-away pixels so Bresenham never loops for long on huge values.
        let limit = 4 * (pixelWidth + pixelHeight) + 16
        func clamp(_ v: Int) -> Int { max(-limit, min(limit, v)) }
        pixelLine(
            x0: clamp(pixelX(a.x)), y0: clamp(pixelY(a.y)), x1: clamp(pixelX(b.x)),
            y1: clamp(pixelY(b.y)),
            color: color)
    }

    /// Draws a pixel-space line with Bresenham's algorithm (Bresenham, IBM Systems Journal, 1965).
    public mutating func pixelLine(x0: Int, y0: Int, x1: Int, y1: Int, color: Color) {
        var x = x0
        var y = y0
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1
        let sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            set(x: x, y: y, color: color)
            if x == x1 && y == y1 { break }
            let e2 = 2 * error
            if e2 >= dy {
                error += dy
                x += sx
            }
            if e2 <= dx {
                error += dx
                y += sy
            }
        }
    }

    /// Draws the canvas into `area` (top-left aligned, clipped). Cells with nothing drawn are left
    /// untouched, so a canvas can be layered over a background or under labels.
    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        let visibleColumns = min(columns, a.right - area.x)
        let visibleRows = min(rows, a.bottom - area.y)
        let bufferWidth = buffer.width
        let startColumn = a.x - area.x
        let startRow = a.y - area.y
        guard visibleColumns > startColumn, visibleRows > startRow else { return }
        buffer.cells.withUnsafeMutableBufferPointer { cells in
            for row in startRow..<visibleRows {
                let base = (area.y + row) * bufferWidth + area.x
                if marker == .braille {
                    for column in startColumn..<visibleColumns {
                        let mask = masks[row * columns + column]
                        if mask == 0 { continue }
                        let i = base + column
                        repairWide(cells: cells, index: i, column: area.x + column, width: bufferWidth)
                        let m = UInt64(mask)
                        // U+2800 + mask in UTF-8: E2, A0 | mask >> 6, 80 | mask & 0x3F.
                        cells[i].symbol = 0xE2 | (0xA0 | m >> 6) << 8 | (0x80 | m & 0x3F) << 16
                        cells[i].foreground = Color(raw: colors[row * columns + column])
                    }
                } else {
                    for column in startColumn..<visibleColumns {
                        let top = colors[(2 * row) * pixelWidth + column]
                        let bottom = colors[(2 * row + 1) * pixelWidth + column]
                        if top == Canvas.empty && bottom == Canvas.empty { continue }
                        let i = base + column
                        repairWide(cells: cells, index: i, column: area.x + column, width: bufferWidth)
                        if top != Canvas.empty {
                            cells[i].symbol = Canvas.upperHalf
                            cells[i].foreground = Color(raw: top)
                            if bottom != Canvas.empty { cells[i].background = Color(raw: bottom) }
                        } else {
                            cells[i].symbol = Canvas.lowerHalf
                            cells[i].foreground = Color(raw: bottom)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func repairWide(
        cells: UnsafeMutableBufferPointer<Cell>, index i: Int, column: Int, width: Int
    ) {
        // Called before overwriting cell i: blank the other half of any wide grapheme it splits.
        if column > 0 && cells[i].isContinuation { cells[i - 1].symbol = Cell.spaceSymbol }
        if column + 1 < width && cells[i + 1].isContinuation { cells[i + 1].symbol = Cell.spaceSymbol }
    }

    static let upperHalf = Cell.pack(scalar: "▀")
    static let lowerHalf = Cell.pack(scalar: "▄")
}
