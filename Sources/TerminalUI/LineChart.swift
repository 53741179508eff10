import Foundation

/// Line plot of one or more series on a braille canvas, with axes, nice tick labels, an optional
/// log-scale y axis, exponential smoothing and a legend.
///
/// X is the sample index unless a series gives its own x values. Non-finite values (and values
/// at or below zero on a log axis) break the line instead of distorting the scale.
public struct LineChart: Widget {
    /// One line.
    public struct Series: Sendable {
        public var name: String
        public var values: [Double]
        public var xValues: [Double]?
        public var color: Color

        /// Creates a series; `name` is sanitized.
        public init(name: String, values: [Double], xValues: [Double]? = nil, color: Color) {
            self.name = sanitized(name)
            self.values = values
            self.xValues = xValues
            self.color = color
        }
    }

    public var series: [Series]
    /// Plot y on a log10 scale.
    public var logScaleY: Bool
    /// Exponential moving-average weight in 0..<1 (0: none), debiased as in TensorBoard.
    public var smoothing: Double
    public var showLegend: Bool
    /// Fixed y range instead of fitting the data.
    public var yRange: ClosedRange<Double>?
    public var axisStyle: Style
    public var labelStyle: Style
    /// Style of the legend box (give it a background so lines beneath do not show through).
    public var legendStyle: Style
    public var marker: Canvas.Marker
    /// The x values count whole things (epochs): the x axis is ticked at whole numbers only.
    public var wholeX: Bool

    /// Creates a line chart.
    public init(
        series: [Series], logScaleY: Bool = false, smoothing: Double = 0, showLegend: Bool = true,
        yRange: ClosedRange<Double>? = nil, axisStyle: Style = .plain, labelStyle: Style = .plain,
        legendStyle: Style = .plain, marker: Canvas.Marker = .braille, wholeX: Bool = false
    ) {
        self.series = series
        self.logScaleY = logScaleY
        self.smoothing = max(0, min(0.999, smoothing))
        self.showLegend = showLegend
        self.yRange = yRange
        self.axisStyle = axisStyle
        self.labelStyle = labelStyle
        self.legendStyle = legendStyle
        self.marker = marker
        self.wholeX = wholeX
    }

    /// Exponential moving average with bias correction; non-finite values pass through unchanged.
    public static func smoothed(_ values: [Double], weight: Double) -> [Double] {
        guard weight > 0 else { return values }
        var result = values
        var average = 0.0
        var steps = 0.0
        for i in values.indices where values[i].isFinite {
            average = average * weight + (1 - weight) * values[i]
            steps += 1
            result[i] = average / (1 - pow(weight, steps))
        }
        return result
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        // Data after smoothing and the log transform.
        var lines: [(xs: [Double]?, ys: [Double], color: Color)] = []
        var xMin = Double.infinity
        var xMax = -Double.infinity
        var yMin = Double.infinity
        var yMax = -Double.infinity
        for s in series {
            var ys = LineChart.smoothed(s.values, weight: smoothing)
            if logScaleY { ys = ys.map { $0 > 0 ? log10($0) : .nan } }
            for (i, y) in ys.enumerated() where y.isFinite {
                let x = s.xValues.map { i < $0.count ? $0[i] : .nan } ?? Double(i)
                guard x.isFinite else { continue }
                xMin = min(xMin, x)
                xMax = max(xMax, x)
                yMin = min(yMin, y)
                yMax = max(yMax, y)
            }
            lines.append((s.xValues, ys, s.color))
        }
        if !xMin.isFinite {
            xMin = 0
            xMax = 1
        }
        // One x alone (a run of one epoch) sits in the middle of its axis: drawn at the left edge of x .. x + 1,
        // the axis read "1 … 2" with the point on the frame.
        if xMax <= xMin {
            xMin -= 1
            xMax = xMin + 2
        }
        if let yRange {
            yMin = logScaleY ? log10(max(yRange.lowerBound, 1e-300)) : yRange.lowerBound
            yMax = logScaleY ? log10(max(yRange.upperBound, 1e-300)) : yRange.upperBound
        } else if !yMin.isFinite {
            yMin = 0
            yMax = 1
        }
        let showAxes = a.width >= 12 && a.height >= 4
        let yScale: AxisTicks.Scale
        if logScaleY {
            yScale = AxisTicks.logarithmic(low: pow(10, yMin), high: pow(10, yMax))
        } else {
            yScale = AxisTicks.linear(low: yMin, high: yMax, count: max(3, min(6, (a.height - 2) / 2)))
        }
        let yLabels = yScale.ticks.map {
            logScaleY ? AxisTicks.decadeLabel($0) : AxisTicks.label($0, step: yScale.step)
        }
        let labelWidth = showAxes ? min(8, yLabels.map { CharacterWidth.of($0) }.max() ?? 1) : 0
        let plot =
            showAxes
            ? Rect(x: a.x + labelWidth + 1, y: a.y, width: a.width - labelWidth - 1, height: a.height - 2)
            : a
        var canvas = Canvas(
            columns: plot.width, rows: plot.height, marker: marker, xRange: xMin...xMax,
            yRange: yScale.range)
        for line in lines {
            var previous: (x: Double, y: Double)?
            for (i, y) in line.ys.enumerated() {
                let x = line.xs.map { i < $0.count ? $0[i] : .nan } ?? Double(i)
                guard y.isFinite, x.isFinite else {
                    previous = nil
                    continue
                }
                if let p = previous {
                    canvas.line(from: p, to: (x, y), color: line.color)
                } else {
                    canvas.point(x: x, y: y, color: line.color)
                }
                previous = (x, y)
            }
        }
        canvas.render(in: plot, buffer: &buffer)
        if showAxes {
            drawAxes(
                plot: plot, canvas: canvas, labelWidth: labelWidth, yScale: yScale, yLabels: yLabels,
                xMin: xMin, xMax: xMax, buffer: &buffer)
        }
        if showLegend { drawLegend(plot: plot, buffer: &buffer) }
    }

    private func drawAxes(
        plot: Rect, canvas: Canvas, labelWidth: Int, yScale: AxisTicks.Scale, yLabels: [String],
        xMin: Double, xMax: Double, buffer: inout Buffer
    ) {
        let axisX = plot.x - 1
        let axisY = plot.bottom
        let cellsPerPixelRow = marker == .braille ? 4 : 2
        let cellsPerPixelColumn = marker == .braille ? 2 : 1
        for y in plot.y..<plot.bottom { buffer.put("│", x: axisX, y: y, style: axisStyle) }
        buffer.put("└", x: axisX, y: axisY, style: axisStyle)
        for x in plot.x..<plot.right { buffer.put("─", x: x, y: axisY, style: axisStyle) }
        var lastRow = Int.min
        for (tick, label) in zip(yScale.ticks, yLabels).reversed() {
            let row = plot.y + canvas.pixelY(tick) / cellsPerPixelRow
            guard row >= plot.y, row < plot.bottom, row != lastRow else { continue }
            lastRow = row
            buffer.put("┤", x: axisX, y: row, style: axisStyle)
            let text = truncated(label, toWidth: labelWidth)
            buffer.setString(text, x: axisX - CharacterWidth.of(text), y: row, style: labelStyle)
        }
        // X ticks: nice values inside the data range, labels centred and never overlapping.
        var xScale = AxisTicks.linear(low: xMin, high: xMax, count: max(3, plot.width / 10))
        if wholeX && xScale.step < 1 {
            // Two epochs were ticked 1.0, 1.5, 2.0: keep the whole ones, labelled as such.
            // (The ticks are sums of the step: 2 may be 2.0000000000000004.)
            let whole = xScale.ticks.filter { abs($0 - $0.rounded()) < xScale.step * 1e-6 }.map { $0.rounded() }
            xScale = AxisTicks.Scale(range: xScale.range, ticks: whole, step: 1)
        }
        var nextFree = plot.x - labelWidth - 1
        for tick in xScale.ticks where tick >= xMin - 1e-9 && tick <= xMax + 1e-9 {
            let column = plot.x + canvas.pixelX(tick) / cellsPerPixelColumn
            guard column >= plot.x, column < plot.right else { continue }
            let label = AxisTicks.label(tick, step: xScale.step)
            let w = CharacterWidth.of(label)
            let start = min(max(column - w / 2, plot.x - 1), plot.right - w)
            guard start >= nextFree else { continue }
            buffer.put("┴", x: column, y: axisY, style: axisStyle)
            buffer.setString(
                label, x: start, y: axisY + 1, style: labelStyle, maxWidth: plot.right - start)
            nextFree = start + w + 1
        }
    }

    private func drawLegend(plot: Rect, buffer: inout Buffer) {
        let named = series.filter { !$0.name.isEmpty }
        guard !named.isEmpty, plot.height >= 2, plot.width >= 8 else { return }
        let nameWidth = min(
            named.map { CharacterWidth.of($0.name) }.max() ?? 0, max(1, plot.width / 2 - 3))
        let boxWidth = nameWidth + 3
        let rows = min(named.count, plot.height)
        let x = plot.right - boxWidth
        for (i, s) in named.prefix(rows).enumerated() {
            let y = plot.y + i
            buffer.fill(Rect(x: x, y: y, width: boxWidth, height: 1), style: legendStyle)
            buffer.put("━", x: x + 1, y: y, style: legendStyle.foreground(s.color))
            buffer.setString(
                truncated(s.name, toWidth: nameWidth), x: x + 2, y: y, style: legendStyle,
                maxWidth: nameWidth)
        }
    }
}
