/// Points coloured by class on a braille or half-block canvas, with a legend of class names.
///
/// The data range is fitted to the points (with a small margin) unless given. With braille, points of
/// different classes that share a cell show the last class drawn; half blocks keep each pixel's colour.
public struct ScatterPlot: Widget {
    /// One point and its class (an index into the class colours and names).
    public struct Point: Hashable, Sendable {
        public var x: Double
        public var y: Double
        public var classIndex: Int
        public init(x: Double, y: Double, classIndex: Int) {
            self.x = x
            self.y = y
            self.classIndex = classIndex
        }
    }

    public var points: [Point]
    /// Colour of each class (cycled when there are more classes).
    public var classColors: [Color]
    /// Names for the legend (sanitized); no legend when empty.
    public var classNames: [String]
    public var marker: Canvas.Marker
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var legendStyle: Style

    /// Creates a scatter plot.
    public init(
        points: [Point], classColors: [Color], classNames: [String] = [],
        marker: Canvas.Marker = .braille,
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
        legendStyle: Style = .plain
    ) {
        self.points = points
        self.classColors = classColors.isEmpty ? [.default] : classColors
        self.classNames = classNames.map { sanitized($0) }
        self.marker = marker
        self.xRange = xRange
        self.yRange = yRange
        self.legendStyle = legendStyle
    }

    /// The range of the finite coordinates chosen by `value`, widened by 5% on each side.
    static func fittedRange(_ points: [Point], _ value: (Point) -> Double) -> ClosedRange<Double> {
        var low = Double.infinity
        var high = -Double.infinity
        for p in points {
            let v = value(p)
            if v.isFinite {
                low = min(low, v)
                high = max(high, v)
            }
        }
        guard low.isFinite else { return 0...1 }
        // 5% of the range, halved first so that a range beyond the largest Double does not overflow.
        let pad = high > low ? (high / 2 - low / 2) * 0.1 : 1
        return Swift.max(-Double.greatestFiniteMagnitude, low - pad)...Swift.min(.greatestFiniteMagnitude, high + pad)
    }

    public func render(in area: Rect, buffer: inout Buffer) {
        let a = area.intersection(buffer.area)
        guard !a.isEmpty else { return }
        var plot = a
        // More classes than rows: the legend takes as many columns as it needs, each at least wide enough
        // for the dot and a short name, rather than leaving the last classes out.
        let legendColumns = classNames.isEmpty ? 0 : (classNames.count + a.height - 1) / a.height
        let naturalWidth = classNames.isEmpty ? 0 : min(classNames.map { CharacterWidth.of($0) }.max()! + 3, 18)
        let columnWidth =
            legendColumns <= 1 ? naturalWidth : max(naturalWidth / legendColumns, min(naturalWidth, 5))
        let legendWidth = columnWidth * legendColumns
        let showLegend = legendWidth > 0 && a.width >= legendWidth + 12
        if showLegend { plot.width -= legendWidth }
        var canvas = Canvas(
            columns: plot.width, rows: plot.height, marker: marker,
            xRange: xRange ?? ScatterPlot.fittedRange(points, \.x),
            yRange: yRange ?? ScatterPlot.fittedRange(points, \.y))
        let colorCount = classColors.count
        classColors.withUnsafeBufferPointer { colors in
            for p in points {
                let c = ((p.classIndex % colorCount) + colorCount) % colorCount
                canvas.point(x: p.x, y: p.y, color: colors[c])
            }
        }
        canvas.render(in: plot, buffer: &buffer)
        if showLegend {
            for (i, name) in classNames.enumerated() {
                let x = plot.right + 1 + (i / a.height) * columnWidth
                let y = a.y + i % a.height
                buffer.put("●", x: x, y: y, style: legendStyle.foreground(classColors[i % colorCount]))
                buffer.setString(
                    truncated(name, toWidth: columnWidth - 3), x: x + 2, y: y, style: legendStyle,
                    maxWidth: columnWidth - 3)
            }
        }
    }
}
