import Foundation
import Testing

@testable import TerminalUI

@Suite struct CanvasTests {
    @Test func brailleDotsAndColours() {
        var canvas = Canvas(columns: 2, rows: 1, marker: .braille)
        canvas.set(x: 0, y: 0, color: .red)
        canvas.set(x: 1, y: 3, color: .red)
        canvas.set(x: 3, y: 1, color: .blue)
        canvas.set(x: 9, y: 9, color: .blue)  // outside: ignored
        var buffer = Buffer(width: 2, height: 1)
        canvas.render(in: buffer.area, buffer: &buffer)
        #expect(buffer.line(0) == "⢁⠐")
        #expect(buffer[0, 0].foreground == .red)
        #expect(buffer[1, 0].foreground == .blue)
    }

    @Test func halfBlocksKeepTwoColoursPerCell() {
        var canvas = Canvas(columns: 2, rows: 1, marker: .halfBlock)
        canvas.set(x: 0, y: 0, color: .red)
        canvas.set(x: 0, y: 1, color: .green)
        canvas.set(x: 1, y: 1, color: .blue)
        var buffer = Buffer(width: 2, height: 1)
        canvas.render(in: buffer.area, buffer: &buffer)
        #expect(buffer.line(0) == "▀▄")
        #expect(buffer[0, 0].foreground == .red && buffer[0, 0].background == .green)
        #expect(buffer[1, 0].foreground == .blue)
    }

    @Test func linesUseDataCoordinates() {
        var canvas = Canvas(columns: 4, rows: 1, marker: .braille, xRange: 0...7, yRange: 0...3)
        canvas.line(from: (0, 0), to: (7, 0), color: .red)
        var buffer = Buffer(width: 4, height: 1)
        canvas.render(in: buffer.area, buffer: &buffer)
        #expect(buffer.line(0) == "⣀⣀⣀⣀")
        canvas.line(from: (0, .infinity), to: (1, 1e300), color: .red)  // ignored / clamped, no hang
    }

    @Test func renderIsClippedToTheBuffer() {
        var canvas = Canvas(columns: 4, rows: 4, marker: .braille)
        canvas.line(from: (0, 0), to: (1, 1), color: .red)
        var buffer = Buffer(width: 2, height: 2)
        canvas.render(in: Rect(x: -1, y: -1, width: 4, height: 4), buffer: &buffer)
        canvas.render(in: Rect(x: 1, y: 1, width: 4, height: 4), buffer: &buffer)
        #expect(buffer.cells.count == 4)
    }
}

@Suite struct AxisTicksTests {
    @Test func niceLinearTicks() {
        let scale = AxisTicks.linear(low: 0.13, high: 2.87, count: 5)
        #expect(scale.step == 1)
        #expect(scale.ticks == [0, 1, 2, 3])
        #expect(AxisTicks.linear(low: 0.13, high: 2.87, count: 10).step == 0.5)
        #expect(AxisTicks.linear(low: 5, high: 5, count: 4).ticks.count >= 2)
    }

    @Test func logTicksAreDecades() {
        let scale = AxisTicks.logarithmic(low: 0.003, high: 20)
        #expect(scale.ticks == [-3, -2, -1, 0, 1, 2])
        #expect(AxisTicks.decadeLabel(-1) == "0.1")
        #expect(AxisTicks.decadeLabel(3) == "1e3")
    }

    @Test func labels() {
        #expect(AxisTicks.label(0) == "0")
        #expect(AxisTicks.label(150, step: 50) == "150")
        #expect(AxisTicks.label(0.25, step: 0.05) == "0.25")
        #expect(AxisTicks.label(2.5, step: 0.5) == "2.5")
        #expect(AxisTicks.label(1e-4) == "1e-4")
        #expect(AxisTicks.label(250000) == "2.5e5")
    }
}

@Suite struct LineChartTests {
    @Test func goldenSmallChart() {
        let chart = LineChart(
            series: [.init(name: "", values: [0, 1, 2, 3], color: .red)], showLegend: false)
        let out = lines(chart, width: 14, height: 6)
        #expect(
            out == [
                "4┤            ",
                "2┤       ⢀⡠⠔⠒⠉",
                " │   ⢀⡠⠔⠊⠁    ",
                "0┤⡠⠔⠊⠁        ",
                " └┴──────┴────",
                "  0      2    ",
            ])
        let buffer = rendered(chart, width: 14, height: 6)
        #expect(buffer[2, 3].foreground == .red)
        // Too small for axes: only the plot.
        #expect(lines(chart, width: 4, height: 1) == ["⡠⠤⠒⠒"])
    }

    @Test func legendShowsSeriesNames() {
        let chart = LineChart(series: [
            .init(name: "train", values: [3, 2, 1], color: .red),
            .init(name: "test", values: [3, 2.5, 2], color: .blue),
        ])
        let buffer = rendered(chart, width: 30, height: 8)
        #expect(buffer.line(0).contains("━train"))
        #expect(buffer.line(1).contains("━test"))
        let x = buffer.line(1).firstRange(of: "━")!.lowerBound.utf16Offset(in: buffer.line(1))
        _ = x
    }

    @Test func logScaleSkipsNonPositiveValues() {
        let chart = LineChart(
            series: [.init(name: "loss", values: [10, 1, 0.1, 0, -1, .nan, 0.01], color: .red)],
            logScaleY: true)
        let out = lines(chart, width: 30, height: 10)
        #expect(out.joined(separator: "\n").contains("0.01"))
        #expect(out.joined(separator: "\n").contains("10"))
    }

    @Test func smoothingIsADebiasedMovingAverage() {
        #expect(LineChart.smoothed([1, 1, 1], weight: 0.9) == [1, 1, 1])
        let s = LineChart.smoothed([0, 10], weight: 0.5)
        #expect(abs(s[1] - 20.0 / 3.0) < 1e-9)
        #expect(LineChart.smoothed([1, .nan, 3], weight: 0)[1].isNaN)
    }

    @Test func tinySizesAndEmptyData() {
        renderAtTinySizes(LineChart(series: [.init(name: "a", values: [1, 2, 3], color: .red)]))
        renderAtTinySizes(LineChart(series: []))
        renderAtTinySizes(
            LineChart(series: [.init(name: "a", values: [], color: .red)], logScaleY: true))
        renderAtTinySizes(
            LineChart(series: [.init(name: "a", values: [.infinity, .nan], color: .red)]))
    }
}

@Suite struct ScatterPlotTests {
    @Test func pointsAreColouredByClass() {
        let points = [
            ScatterPlot.Point(x: 0, y: 0, classIndex: 0), ScatterPlot.Point(x: 1, y: 1, classIndex: 1),
        ]
        let plot = ScatterPlot(
            points: points, classColors: [.red, .blue], xRange: 0...1, yRange: 0...1)
        let buffer = rendered(plot, width: 4, height: 2)
        #expect(buffer[0, 1].grapheme == "⡀")
        #expect(buffer[0, 1].foreground == .red)
        #expect(buffer[3, 0].grapheme == "⠈")
        #expect(buffer[3, 0].foreground == .blue)
    }

    @Test func legendListsClasses() {
        let points = (0..<30).map {
            ScatterPlot.Point(x: Double($0), y: Double($0 % 7), classIndex: $0 % 3)
        }
        let plot = ScatterPlot(
            points: points, classColors: [.red, .green, .blue], classNames: ["cat", "dog", "eel"])
        let buffer = rendered(plot, width: 30, height: 5)
        #expect(buffer.line(0).hasSuffix("● cat"))
        #expect(buffer.line(2).hasSuffix("● eel"))
        #expect(buffer[25, 1].grapheme == "●")
        #expect(buffer[25, 1].foreground == .green)
    }

    /// Bug: with more classes than rows the legend left the last ones out (class 9 of a 9-row scatter at
    /// 120x40). It now takes a second column, so every class keeps its dot and colour.
    @Test func legendTakesMoreColumnsWhenTheClassesOutnumberTheRows() {
        let names = (0..<10).map(String.init)
        let colors: [Color] = [.red, .green, .blue, .yellow, .magenta, .cyan, .white, .red, .green, .blue]
        let points = (0..<40).map { ScatterPlot.Point(x: Double($0), y: Double($0 % 5), classIndex: $0 % 10) }
        let buffer = rendered(ScatterPlot(points: points, classColors: colors, classNames: names), width: 40, height: 9)
        #expect(buffer.line(0).hasSuffix("● 0 ● 9"), "\(buffer.line(0))")
        #expect(buffer.line(8).hasSuffix("● 8    "), "\(buffer.line(8))")
        #expect(buffer[39, 0].grapheme == "9" && buffer[37, 0].foreground == .blue)
        for tall in [10, 12] {
            let one = rendered(
                ScatterPlot(points: points, classColors: colors, classNames: names), width: 40, height: tall)
            #expect(one.line(9).hasSuffix("● 9") && one.line(0).hasSuffix("● 0"), "\(one.line(0))")
        }
    }

    @Test func halfBlockMarkerAndTinySizes() {
        let points = (0..<50).map {
            ScatterPlot.Point(x: Double($0), y: sin(Double($0)), classIndex: $0)
        }
        let buffer = rendered(
            ScatterPlot(points: points, classColors: [.red], marker: .halfBlock), width: 10, height: 4)
        #expect(buffer.lines.joined().contains { $0 == "▀" || $0 == "▄" })
        renderAtTinySizes(ScatterPlot(points: points, classColors: [], classNames: ["a"]))
        renderAtTinySizes(ScatterPlot(points: [], classColors: [.red]))
        renderAtTinySizes(
            ScatterPlot(points: [.init(x: .nan, y: 1, classIndex: -3)], classColors: [.red]))
    }
}
