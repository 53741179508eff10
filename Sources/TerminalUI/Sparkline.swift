/// The most recent values as a row of bars (eighth blocks), right-aligned, one value per column.
public struct Sparkline: Widget {
    public var values: [Double]
    /// The value of a full-height bar; nil uses the largest value shown.
    public var maximum: Double?
    public var style: Style

    public init(values: [Double], maximum: Double? = nil, style: Style = .plain) {
        self.values = values
        self.maximum = maximum
        self.style = style
    }

    static let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty, !values.isEmpty else { return }
        let shown = values.suffix(a.width)
        let top = maximum ?? shown.filter(\.isFinite).max() ?? 1
        let low = min(0, shown.filter(\.isFinite).min() ?? 0)
        let span = top - low
        let x0 = a.right - shown.count
        for (i, v) in shown.enumerated() {
            let t = span > 0 && v.isFinite ? max(0, min(1, (v - low) / span)) : 0
            var eighths = Int((t * Double(a.height * 8)).rounded())
            if v.isFinite && v > low && eighths == 0 { eighths = 1 }
            for row in 0..<a.height {
                let y = a.bottom - 1 - row
                let level = max(0, min(8, eighths - row * 8))
                if level > 0 { buffer.put(Sparkline.levels[level], x: x0 + i, y: y, style: style) }
            }
        }
    }
}
