/// Labelled horizontal bars, e.g. class probabilities, with one bar optionally highlighted.
public struct BarChart: Widget {
    /// One bar.
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        public var color: Color?
        public init(label: String, value: Double, color: Color? = nil) {
            self.label = sanitized(label)
            self.value = value
            self.color = color
        }
    }

    public var bars: [Bar]
    /// The value of a full-length bar; nil uses the largest value.
    public var maximum: Double?
    /// Index of a bar drawn in the highlight style (e.g. the predicted class).
    public var highlighted: Int?
    public var barColor: Color
    public var labelStyle: Style
    public var highlightStyle: Style
    /// Decimals of the value printed after each bar.
    public var decimals: Int
    /// What happens to bars beyond the last row.
    public var overflow: Overflow
    /// The most columns a label gets (never more than its column); nil: a third of the column, which leaves
    /// most of it to the bar.
    public var maximumLabelWidth: Int?

    /// Bars that do not fit the rows: left out (a list of the newest items, say), or drawn in more columns.
    public enum Overflow: Sendable {
        /// The bars past the last row are not drawn.
        case clip
        /// The bars take as many columns as they need, one column apart, filled column by column with
        /// the same number of bars each (the last may have fewer), so none is left out; as long as each
        /// column still holds a short label and the whole value, else the last are left out.
        case columns
    }

    public init(
        bars: [Bar], maximum: Double? = nil, highlighted: Int? = nil, barColor: Color = .blue,
        labelStyle: Style = .plain, highlightStyle: Style = Style(attributes: .bold), decimals: Int = 2,
        overflow: Overflow = .clip, maximumLabelWidth: Int? = nil
    ) {
        self.bars = bars
        self.maximum = maximum
        self.highlighted = highlighted
        self.barColor = barColor
        self.labelStyle = labelStyle
        self.highlightStyle = highlightStyle
        self.decimals = max(0, min(6, decimals))
        self.overflow = overflow
        self.maximumLabelWidth = maximumLabelWidth
    }

    /// The printed values, and the narrowest column that holds a short label and a whole value.
    private var valueTexts: [String] {
        bars.map {
            $0.value.isFinite
                ? AxisTicks.formatFixed($0.value, decimals: decimals)
                : $0.value.isNaN ? "nan" : $0.value > 0 ? "inf" : "-inf"
        }
    }

    private func narrowestColumn(valueWidth: Int, longestLabel: Int) -> Int {
        min(longestLabel, 3) + valueWidth + 2
    }

    /// The fewest rows that show every bar in `width` columns (with `.clip`: a row per bar).
    public func rowsNeeded(width: Int) -> Int {
        guard overflow == .columns, !bars.isEmpty else { return bars.count }
        let valueWidth = valueTexts.map(\.count).max() ?? 0
        let longestLabel = bars.map { CharacterWidth.of($0.label) }.max() ?? 0
        let columns = max(1, (width + 1) / narrowestColumn(valueWidth: valueWidth, longestLabel: longestLabel))
        return (bars.count + columns - 1) / columns
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty, !bars.isEmpty else { return }
        let top = maximum ?? max(bars.map(\.value).filter(\.isFinite).max() ?? 1, 1e-12)
        let valueTexts = self.valueTexts
        let valueWidth = valueTexts.map(\.count).max() ?? 0
        let longestLabel = bars.map { CharacterWidth.of($0.label) }.max() ?? 0
        // Only as many columns as hold a short label and the whole value each (a cut number would misread);
        // when even those cannot hold every bar, the last are left out.
        let wanted = overflow == .columns ? (bars.count + a.height - 1) / a.height : 1
        let columns = max(
            1, min(wanted, (a.width + 1) / narrowestColumn(valueWidth: valueWidth, longestLabel: longestLabel)))
        let rows = min(a.height, (bars.count + columns - 1) / columns)
        let columnWidth = (a.width - (columns - 1)) / columns
        let labelWidth = min(longestLabel, max(0, min(maximumLabelWidth ?? columnWidth / 3, columnWidth)))
        let barWidth = columnWidth - labelWidth - valueWidth - 2
        for (i, bar) in bars.enumerated() where i / rows < columns {
            let left = a.x + (i / rows) * (columnWidth + 1)
            let right = left + columnWidth
            let y = a.y + i % rows
            let style = i == highlighted ? labelStyle.patched(with: highlightStyle) : labelStyle
            Line(bar.label, style: style).render(x: left, y: y, width: labelWidth, buffer: &buffer)
            var x = left + labelWidth + 1
            if barWidth > 0 {
                let t = bar.value.isFinite && top > 0 ? max(0, min(1, bar.value / top)) : 0
                let eighths = Int((t * Double(barWidth * 8)).rounded())
                let color = bar.color ?? barColor
                for c in 0..<barWidth {
                    let level = max(0, min(8, eighths - c * 8))
                    if level > 0 {
                        buffer.put(Gauge.eighths[level], x: x + c, y: y, style: Style(foreground: color))
                    }
                }
                x += barWidth + 1
            }
            buffer.setString(
                valueTexts[i], x: x + valueWidth - valueTexts[i].count, y: y, style: style,
                maxWidth: max(0, right - x))
        }
    }
}

/// The distribution of raw values as vertical bars over equal-width bins, with the range beneath.
public struct Histogram: Widget {
    public var values: [Double]
    public var binCount: Int
    public var color: Color
    public var labelStyle: Style

    public init(
        values: [Double], binCount: Int = 20, color: Color = .blue, labelStyle: Style = .plain
    ) {
        self.values = values
        self.binCount = max(1, binCount)
        self.color = color
        self.labelStyle = labelStyle
    }

    /// Counts per bin over the finite values' range.
    public static func bins(_ values: [Double], count: Int) -> (
        counts: [Int], low: Double, high: Double
    ) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), count > 0 else { return ([], 0, 0) }
        var counts = [Int](repeating: 0, count: count)
        let span = high - low
        for v in finite {
            // A range beyond the largest Double (-1e308 to 1e308) is measured on halved values.
            let t = span.isFinite ? (v - low) / span : (v / 2 - low / 2) / (high / 2 - low / 2)
            let i = span > 0 ? min(count - 1, Int(t * Double(count))) : count / 2
            counts[i] += 1
        }
        return (counts, low, high)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        let n = min(binCount, a.width)
        let (counts, low, high) = Histogram.bins(values, count: n)
        guard !counts.isEmpty else { return }
        let plotHeight = a.height >= 3 ? a.height - 1 : a.height
        let top = max(1, counts.max() ?? 1)
        // Each column shows the bin under it; a one-column gap separates bins when they are wide.
        let columnsPerBin = a.width / n
        for column in 0..<a.width {
            let bin = column * n / a.width
            if columnsPerBin >= 3 && (column + 1) * n / a.width != bin { continue }
            let eighths = Int((Double(counts[bin]) / Double(top) * Double(plotHeight * 8)).rounded())
            for row in 0..<plotHeight {
                let level = max(0, min(8, eighths - row * 8))
                guard level > 0 else { continue }
                buffer.put(
                    Sparkline.levels[level], x: a.x + column, y: a.y + plotHeight - 1 - row,
                    style: Style(foreground: color))
            }
        }
        if plotHeight < a.height {
            let y = a.bottom - 1
            buffer.setString(AxisTicks.label(low), x: a.x, y: y, style: labelStyle, maxWidth: a.width)
            let h = AxisTicks.label(high)
            buffer.setString(h, x: max(a.x, a.right - h.count), y: y, style: labelStyle)
        }
    }
}
