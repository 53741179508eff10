/// A progress bar filled to a ratio with eighth-block precision and a centred label.
public struct Gauge: Widget {
    /// Filled fraction, clamped to 0...1 (NaN counts as 0).
    public var ratio: Double
    /// Text over the bar; defaults to the percentage.
    public var label: String?
    public var filledColor: Color
    public var trackColor: Color
    /// Style of the label (its background is taken from the bar beneath each character).
    public var labelStyle: Style

    /// Creates a gauge.
    public init(
        ratio: Double, label: String? = nil, filledColor: Color = .green, trackColor: Color = .default,
        labelStyle: Style = .plain
    ) {
        self.ratio = ratio.isNaN ? 0 : max(0, min(1, ratio))
        self.label = label.map { sanitized($0) }
        self.filledColor = filledColor
        self.trackColor = trackColor
        self.labelStyle = labelStyle
    }

    /// The label's colour where it lies on the filled part: the track's (black on a default track), or where
    /// that hardly reads on the fill (WCAG contrast under 3: high-contrast's white border on its yellow accent,
    /// gray on blue in 16 colours), whichever of the label's own colour, black and white reads best.
    var labelOnFilled: Color {
        let first = trackColor.isDefault ? Color.black : trackColor
        guard let own = first.contrastRatio(with: filledColor), own < 3 else { return first }
        let candidates = [first, labelStyle.foreground ?? .default, .rgb(0, 0, 0), .rgb(255, 255, 255)]
        func ratio(_ color: Color) -> Double { color.contrastRatio(with: filledColor) ?? 0 }
        return candidates.max { ratio($0) < ratio($1) } ?? first
    }

    static let eighths: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        let filledEighths = Int((ratio * Double(a.width * 8)).rounded())
        let full = filledEighths / 8
        let partial = filledEighths % 8
        let labelRow = a.y + a.height / 2
        // Without colours (every colour the default) the filled part is drawn in reverse video: as a default
        // background it looked the same as the track, and only the eighth block at its end showed.
        let noColor = filledColor.isDefault
        let filled = noColor ? Style(attributes: .reverse) : Style(background: filledColor)
        for y in a.y..<a.bottom {
            for i in 0..<a.width {
                let x = a.x + i
                if i < full {
                    buffer.put(" ", x: x, y: y, style: filled)
                } else if i == full && partial > 0 {
                    buffer.put(
                        Gauge.eighths[partial], x: x, y: y,
                        style: Style(foreground: filledColor, background: trackColor))
                } else {
                    buffer.put(" ", x: x, y: y, style: Style(background: trackColor))
                }
            }
        }
        let text = truncated(label ?? "\(Int((ratio * 100).rounded()))%", toWidth: a.width)
        let start = a.x + (a.width - CharacterWidth.of(text)) / 2
        var x = start
        for c in text {
            let onFilled = x - a.x < full
            var style = labelStyle
            if onFilled {
                style = noColor ? style.adding(.reverse) : style.background(filledColor).foreground(labelOnFilled)
            }
            buffer.put(c, x: x, y: labelRow, style: style)
            x += CharacterWidth.of(c)
        }
    }
}
