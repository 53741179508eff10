/// Signed values (row-major `width` x `height`) on a diverging colormap centred at 0, as half
/// blocks, with a colour-bar legend that states the range.
///
/// The range is symmetric, `-limit...+limit`, with `limit` the largest magnitude unless given, so
/// zero always maps to the colormap's middle. Without colour the legend still prints the range, and
/// the sign goes to the glyph: `+` `#` for positive values (weaker, stronger), `-` `=` for negative ones,
/// blank near zero.
public struct Heatmap: Widget {
    public var values: [Float]
    public var width: Int
    public var height: Int
    public var colormap: Colormap
    /// Magnitude mapped to the ends of the colormap; nil fits the data.
    public var limit: Double?
    public var showLegend: Bool
    public var labelStyle: Style
    /// Draw magnitudes with characters instead of colours (for terminals without colour).
    public var monochrome: Bool

    /// Creates a heatmap. A value array shorter than `width * height` is padded with zeros.
    public init(
        values: [Float], width: Int, height: Int, colormap: Colormap = .blueRed, limit: Double? = nil,
        showLegend: Bool = true, labelStyle: Style = .plain, monochrome: Bool = false
    ) {
        self.width = max(0, width)
        self.height = max(0, height)
        let count = self.width * self.height
        self.values =
            values.count >= count ? values : values + [Float](repeating: 0, count: count - values.count)
        self.colormap = colormap
        self.limit = limit
        self.showLegend = showLegend
        self.labelStyle = labelStyle
        self.monochrome = monochrome
    }

    /// The symmetric limit used for the colours.
    public var effectiveLimit: Double {
        if let limit, limit > 0 { return limit }
        var m: Float = 0
        for v in values where v.isFinite { m = max(m, abs(v)) }
        return m > 0 ? Double(m) : 1
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty, width > 0, height > 0 else { return }
        let limit = effectiveLimit
        let legendRows = showLegend && a.height >= 3 && a.width >= 12 ? 1 : 0
        let plot = Rect(x: a.x, y: a.y, width: a.width, height: a.height - legendRows)
        if monochrome {
            drawSignedGlyphs(limit: limit, in: plot, buffer: &buffer)
        } else {
            let table = colormap.lookupTable(count: 65)
            ImageView.drawHalfBlocks(width: width, height: height, in: plot, buffer: &buffer) { x, y in
                let v = Double(values[y * width + x])
                let t = v.isFinite ? 0.5 + 0.5 * max(-1, min(1, v / limit)) : 0.5
                return table[Int(t * 64 + 0.5)]
            }
        }
        if legendRows > 0 { drawLegend(limit: limit, row: a.bottom - 1, area: a, buffer: &buffer) }
    }

    /// The glyph of a value scaled to -1...1 on a terminal without colour: the sign as `+` / `-`, heavier
    /// (`#` / `=`) from half the limit, blank below a tenth of it. (A ramp of the magnitude alone drew a pixel
    /// pushed up and one pushed down by as much the same.)
    static func signedGlyph(_ t: Double) -> Character {
        guard t.isFinite, abs(t) >= 0.1 else { return " " }
        return t > 0 ? (t >= 0.5 ? "#" : "+") : (t <= -0.5 ? "=" : "-")
    }

    /// The cells as `signedGlyph`s, laid out as `ImageView`'s ASCII mode lays out an image (a cell per column
    /// and two pixel rows, their mean).
    private func drawSignedGlyphs(limit: Double, in area: Rect, buffer: inout Buffer) {
        guard !area.isEmpty else { return }
        let (tw, th) = ImageView.fittedSize(
            width: width, height: height, pixelWidth: area.width, pixelHeight: 2 * area.height)
        guard tw > 0, th > 0 else { return }
        let rows = (th + 1) / 2
        let x0 = area.x + (area.width - tw) / 2
        let y0 = area.y + (area.height - rows) / 2
        func value(_ x: Int, _ y: Int) -> Double {
            let v = Double(values[y * width + x])
            return v.isFinite ? max(-1, min(1, v / limit)) : 0
        }
        for row in 0..<rows {
            for column in 0..<tw {
                let sx = column * width / tw
                let top = value(sx, min(height - 1, (2 * row) * height / th))
                let bottom = value(sx, min(height - 1, (2 * row + 1) * height / th))
                buffer.put(Heatmap.signedGlyph((top + bottom) / 2), x: x0 + column, y: y0 + row, style: labelStyle)
            }
        }
    }

    private func drawLegend(limit: Double, row: Int, area: Rect, buffer: inout Buffer) {
        let low = "-" + AxisTicks.label(limit)
        let high = "+" + AxisTicks.label(limit)
        let barWidth = max(0, min(24, area.width - low.count - high.count - 2))
        let total = low.count + high.count + 2 + barWidth
        var x = area.x + max(0, (area.width - total) / 2)
        x = buffer.setString(low, x: x, y: row, style: labelStyle) + 1
        for i in 0..<barWidth {
            let t = barWidth > 1 ? Double(i) / Double(barWidth - 1) : 0.5
            if monochrome {
                buffer.put(Heatmap.signedGlyph(t * 2 - 1), x: x + i, y: row, style: labelStyle)
            } else {
                buffer.put("█", x: x + i, y: row, style: Style(foreground: colormap.color(at: t)))
            }
        }
        if barWidth >= 3 && barWidth % 2 == 1 {
            buffer.put("0", x: x + barWidth / 2, y: row, style: labelStyle)
        }
        buffer.setString(high, x: x + barWidth + 1, y: row, style: labelStyle)
    }
}
