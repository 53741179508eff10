import Foundation

/// Timings of `TerminalUIBenchmark.run()`.
public struct TerminalUIBenchmarkResult: Sendable {
    public var width: Int
    public var height: Int
    public var frames: Int
    /// Median milliseconds to build the whole screen into a buffer and encode it in full.
    public var fullFrameMilliseconds: Double
    /// Bytes a full frame writes.
    public var fullFrameBytes: Int
    /// Median milliseconds for a frame where one chart changed: rebuild every widget (immediate
    /// mode) and encode only the difference.
    public var chartChangedMilliseconds: Double
    /// Bytes such a frame writes.
    public var chartChangedBytes: Int
    /// Median milliseconds when only the changed chart is redrawn into the retained buffer.
    public var chartOnlyMilliseconds: Double
    /// Bytes of an unchanged frame (only the synchronized-output markers).
    public var unchangedFrameBytes: Int

    /// One JSON object.
    public var json: String {
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        return "{\"benchmark\":\"tui\",\"width\":\(width),\"height\":\(height),\"frames\":\(frames),"
            + "\"full_frame_ms\":\(f(fullFrameMilliseconds)),\"full_frame_bytes\":\(fullFrameBytes),"
            + "\"chart_changed_ms\":\(f(chartChangedMilliseconds)),\"chart_changed_bytes\":\(chartChangedBytes),"
            + "\"chart_only_ms\":\(f(chartOnlyMilliseconds)),\"unchanged_frame_bytes\":\(unchangedFrameBytes)}"
    }

    /// A short human-readable report.
    public var text: String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        return """
            TUI benchmark: \(width)x\(height), 4 line charts, scatter of 2,000 points, two 28x28 images; \
            median of \(frames) frames
              full frame:            \(f(fullFrameMilliseconds)) ms, \(fullFrameBytes) bytes (target < 2 ms)
              one chart changed:     \(f(chartChangedMilliseconds)) ms, \(chartChangedBytes) bytes \
            (all widgets rebuilt; target < 0.5 ms)
              only that chart drawn: \(f(chartOnlyMilliseconds)) ms
              unchanged frame:       \(unchangedFrameBytes) bytes
            """
    }
}

/// Renders a 200x60 dashboard (four line charts, a 2,000-point scatter, two 28x28 images) into a
/// `Buffer` and through the `Renderer` into bytes, with no terminal, and times it.
public enum TerminalUIBenchmark {
    /// Runs the benchmark (about a second in a release build).
    public static func run() -> TerminalUIBenchmarkResult { run(frames: 200) }

    /// Runs the benchmark over `frames` frames per measurement.
    public static func run(frames: Int) -> TerminalUIBenchmarkResult {
        let width = 200
        let height = 60
        var scene = BenchmarkScene(theme: .dark)
        var buffer = Buffer(width: width, height: height)
        var renderer = Renderer(colorDepth: .trueColor)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 20)
        let n = max(1, frames)

        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        func median(_ samples: [UInt64]) -> Double {
            let sorted = samples.sorted()
            return Double(sorted[sorted.count / 2]) / 1e6
        }

        var fullTimes: [UInt64] = []
        var fullBytes = 0
        for _ in 0..<n {
            let start = now()
            buffer.clear()
            scene.render(into: &buffer)
            renderer.invalidate()
            renderer.render(buffer, into: &output)
            fullTimes.append(now() - start)
            fullBytes = output.count
        }
        renderer.render(buffer, into: &output)
        let unchangedBytes = output.count

        var changedTimes: [UInt64] = []
        var changedBytes = 0
        for _ in 0..<n {
            scene.advanceFirstChart()
            let start = now()
            buffer.clear()
            scene.render(into: &buffer)
            renderer.render(buffer, into: &output)
            changedTimes.append(now() - start)
            changedBytes = output.count
        }

        var onlyTimes: [UInt64] = []
        for _ in 0..<n {
            scene.advanceFirstChart()
            let start = now()
            scene.renderFirstChart(into: &buffer)
            renderer.render(buffer, into: &output)
            onlyTimes.append(now() - start)
        }
        return TerminalUIBenchmarkResult(
            width: width, height: height, frames: n, fullFrameMilliseconds: median(fullTimes),
            fullFrameBytes: fullBytes, chartChangedMilliseconds: median(changedTimes),
            chartChangedBytes: changedBytes,
            chartOnlyMilliseconds: median(onlyTimes), unchangedFrameBytes: unchangedBytes)
    }
}

/// The benchmark's screen and its deterministic synthetic data.
struct BenchmarkScene {
    let theme: Theme
    var curves: [[Double]]
    var points: [ScatterPlot.Point]
    var images: [[Float]]
    var step = 0

    init(theme: Theme) {
        self.theme = theme
        var generator = SplitMix(seed: 7)
        curves = (0..<8).map { c in
            (0..<400).map { i in
                2.0 * exp(-Double(i) / 120) + 0.1 * Double(c % 2) + 0.05 * generator.nextDouble()
            }
        }
        points = (0..<2000).map { i in
            let k = i % 10
            let angle = Double(k) / 10 * 2 * Double.pi
            return ScatterPlot.Point(
                x: 4 * cos(angle) + generator.nextGaussian(), y: 4 * sin(angle) + generator.nextGaussian(),
                classIndex: k)
        }
        images = (0..<2).map { k in SyntheticPictures.digitLike(k + 3, size: 28) }
    }

    /// Shifts the first chart's curves by one sample.
    mutating func advanceFirstChart() {
        step += 1
        for c in 0..<2 {
            curves[c].removeFirst()
            curves[c].append(0.1 + 0.05 * sin(Double(step) * 0.37 + Double(c)))
        }
    }

    func layout(_ area: Rect) -> (charts: [Rect], scatter: Rect, images: [Rect]) {
        let columns = Layout.horizontal([.percentage(60), .fill(1)]).split(area)
        let rows = Layout.vertical([.percentage(50), .fill(1)]).split(columns[0])
        let charts = rows.flatMap { Layout.horizontal([.percentage(50), .fill(1)]).split($0) }
        let right = Layout.vertical([.fill(1), .length(16)]).split(columns[1])
        let images = Layout.horizontal([.percentage(50), .fill(1)]).split(right[1])
        return (charts, right[0], images)
    }

    func chart(_ index: Int) -> LineChart {
        LineChart(
            series: [
                .init(name: "train", values: curves[2 * index], color: theme.seriesColor(0)),
                .init(name: "test", values: curves[2 * index + 1], color: theme.seriesColor(1)),
            ], axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle)
    }

    func renderFirstChart(into buffer: inout Buffer) {
        let area = layout(buffer.area).charts[0]
        let block = Block.themed("loss 1", theme: theme)
        Clear(style: theme.textStyle).render(in: area, buffer: &buffer)
        block.render(in: area, buffer: &buffer)
        chart(0).render(in: block.inner(area), buffer: &buffer)
    }

    func render(into buffer: inout Buffer) {
        let parts = layout(buffer.area)
        buffer.setStyle(theme.textStyle, in: buffer.area)
        for (i, area) in parts.charts.enumerated() {
            let block = Block.themed("loss \(i + 1)", theme: theme)
            block.render(in: area, buffer: &buffer)
            chart(i).render(in: block.inner(area), buffer: &buffer)
        }
        let scatterBlock = Block.themed("latent space", theme: theme)
        scatterBlock.render(in: parts.scatter, buffer: &buffer)
        ScatterPlot(
            points: points, classColors: theme.classes, classNames: (0..<10).map { "digit \($0)" }
        )
        .render(in: scatterBlock.inner(parts.scatter), buffer: &buffer)
        for (i, area) in parts.images.enumerated() {
            let block = Block.themed(i == 0 ? "input" : "reconstruction", theme: theme)
            block.render(in: area, buffer: &buffer)
            ImageView(pixels: images[i], width: 28, height: 28).render(
                in: block.inner(area), buffer: &buffer)
        }
    }
}

/// A tiny deterministic generator for synthetic demo and benchmark data (SplitMix64,
/// Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box-Muller).
    mutating func nextGaussian() -> Double {
        let u = max(nextDouble(), 1e-300)
        let v = nextDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
