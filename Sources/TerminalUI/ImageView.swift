/// A grayscale image (values in 0...1, row-major `width` x `height`) shown as half blocks (two
/// pixels per cell), as an ASCII ramp when there is no colour, or as real pixels through the kitty
/// graphics protocol.
///
/// Half blocks and ASCII scale by the largest whole factor that fits (28x28 becomes 56x56 in a
/// 56x28-cell box), shrink by nearest-neighbour sampling when the image is larger than the area,
/// and centre the result.
public struct ImageView: Widget {
    /// How the pixels reach the screen.
    public enum Mode: Hashable, Sendable {
        /// Upper half blocks with foreground and background colours.
        case halfBlock
        /// One character per 1x2 pixels from a density ramp; no colour needed.
        case ascii
        /// Kitty graphics protocol image `id` placed over the area (the renderer sends it).
        case kitty(id: UInt32)

        /// The best mode for a terminal with these capabilities.
        public static func preferred(colorDepth: ColorDepth, kittyGraphics: Bool, id: UInt32) -> Mode {
            if kittyGraphics && colorDepth != .none { return .kitty(id: id) }
            return colorDepth == .none ? .ascii : .halfBlock
        }
    }

    public var pixels: [Float]
    public var width: Int
    public var height: Int
    public var mode: Mode
    /// Maps 0...1 to a colour; nil for gray.
    public var colormap: Colormap?
    /// Values mapped to 0 and 1 (pixels outside are clamped).
    public var valueRange: ClosedRange<Float>

    /// Creates an image view. A pixel array shorter than `width * height` is padded with zeros.
    public init(
        pixels: [Float], width: Int, height: Int, mode: Mode = .halfBlock, colormap: Colormap? = nil,
        valueRange: ClosedRange<Float> = 0...1
    ) {
        self.width = max(0, width)
        self.height = max(0, height)
        let count = self.width * self.height
        self.pixels =
            pixels.count >= count ? pixels : pixels + [Float](repeating: 0, count: count - pixels.count)
        self.mode = mode
        self.colormap = colormap
        self.valueRange = valueRange
    }

    /// The density ramp used without colour, light to dark ink.
    public static let asciiRamp: [Character] = Array(" .:-=+*#%@")

    /// The size in pixels that `width` x `height` takes when fitted into `pixelWidth` x `pixelHeight`:
    /// a whole-number enlargement when it fits, else the largest aspect-preserving reduction.
    public static func fittedSize(width: Int, height: Int, pixelWidth: Int, pixelHeight: Int) -> (
        Int, Int
    ) {
        guard width > 0, height > 0, pixelWidth > 0, pixelHeight > 0 else { return (0, 0) }
        let scale = min(pixelWidth / width, pixelHeight / height)
        if scale >= 1 { return (width * scale, height * scale) }
        let f = min(Double(pixelWidth) / Double(width), Double(pixelHeight) / Double(height))
        return (max(1, Int(Double(width) * f)), max(1, Int(Double(height) * f)))
    }

    private static let grayTable: [Color] = (0..<256).map {
        Color.rgb(UInt8($0), UInt8($0), UInt8($0))
    }

    /// The 0...255 level of pixel `(x, y)`.
    @inline(__always)
    private func level(_ x: Int, _ y: Int) -> Int {
        let v = pixels[y * width + x]
        let span = valueRange.upperBound - valueRange.lowerBound
        let t = span > 0 ? (v - valueRange.lowerBound) / span : 0
        guard t.isFinite else { return 0 }
        return Int(max(0, min(255, t * 255 + 0.5)))
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty, width > 0, height > 0 else { return }
        switch mode {
        case .halfBlock:
            let table = colormap.map { $0.lookupTable(count: 256) } ?? ImageView.grayTable
            ImageView.drawHalfBlocks(width: width, height: height, in: a, buffer: &buffer) { x, y in
                table[level(x, y)]
            }
        case .ascii:
            let (tw, th) = ImageView.fittedSize(
                width: width, height: height, pixelWidth: a.width,
                pixelHeight: 2 * a.height)
            let rows = (th + 1) / 2
            let x0 = a.x + (a.width - tw) / 2
            let y0 = a.y + (a.height - rows) / 2
            let ramp = ImageView.asciiRamp
            for row in 0..<rows {
                for column in 0..<tw {
                    let sx = column * width / tw
                    let top = level(sx, min(height - 1, (2 * row) * height / th))
                    let bottom = level(sx, min(height - 1, (2 * row + 1) * height / th))
                    let v = (top + bottom) / 2
                    buffer.put(ramp[v * (ramp.count - 1) / 255], x: x0 + column, y: y0 + row)
                }
            }
        case .kitty(let id):
            // Cells are about twice as tall as wide: a w x h image fills c x r cells with c = 2r w/h.
            var rows = min(a.height, max(1, a.width * height / (2 * width)))
            var columns = min(a.width, max(1, 2 * rows * width / height))
            if columns == 0 || rows == 0 { return }
            rows = max(1, rows)
            columns = max(1, columns)
            let box = Rect(
                x: a.x + (a.width - columns) / 2, y: a.y + (a.height - rows) / 2, width: columns,
                height: rows)
            buffer.fill(box)
            let table = colormap.map { $0.lookupTable(count: 256) } ?? ImageView.grayTable
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    let c = table[level(x, y)].approximateRGB ?? (0, 0, 0)
                    let i = (y * width + x) * 3
                    rgb[i] = c.red
                    rgb[i + 1] = c.green
                    rgb[i + 2] = c.blue
                }
            }
            buffer.images.append(
                ImagePlacement(id: id, area: box, pixelWidth: width, pixelHeight: height, rgb: rgb))
        }
    }

    /// Draws a `width` x `height` pixel grid as half blocks fitted and centred in `area`.
    /// - Parameter color: the colour of source pixel `(x, y)`.
    static func drawHalfBlocks(
        width: Int, height: Int, in area: Rect, buffer: inout Buffer,
        color: (Int, Int) -> Color
    ) {
        let (tw, th) = fittedSize(
            width: width, height: height, pixelWidth: area.width, pixelHeight: 2 * area.height)
        guard tw > 0, th > 0 else { return }
        let rows = (th + 1) / 2
        let x0 = area.x + (area.width - tw) / 2
        let y0 = area.y + (area.height - rows) / 2
        let upper = Cell.pack(scalar: "▀")
        let bufferWidth = buffer.width
        var sourceColumns = [Int](repeating: 0, count: tw)
        for column in 0..<tw { sourceColumns[column] = column * width / tw }
        buffer.cells.withUnsafeMutableBufferPointer { cells in
            for row in 0..<rows {
                let topY = (2 * row) * height / th
                let hasBottom = 2 * row + 1 < th
                let bottomY = hasBottom ? (2 * row + 1) * height / th : 0
                let base = (y0 + row) * bufferWidth + x0
                for column in 0..<tw {
                    let sx = sourceColumns[column]
                    let i = base + column
                    if x0 + column > 0 && cells[i].isContinuation { cells[i - 1].symbol = Cell.spaceSymbol }
                    if x0 + column + 1 < bufferWidth && cells[i + 1].isContinuation {
                        cells[i + 1].symbol = Cell.spaceSymbol
                    }
                    cells[i].symbol = upper
                    cells[i].foreground = color(sx, topY)
                    if hasBottom { cells[i].background = color(sx, bottomY) }
                }
            }
        }
    }
}
