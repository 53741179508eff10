import Testing

@testable import TerminalUI

/// Bug: a finite point far outside a chart's range crashed the program, its pixel position overflowing
/// `Int`: a scatter with fixed axes and an outlier at 1e30, the feature adversary's "relative feature
/// distance" curve (fixed 0...1 axes) once the distance passed about 1e17, or fitted axes spanning
/// -1e308...1e308. Such points now land off the canvas (not drawn) or inside it.
@Suite struct CanvasFarPointTests {
    @Test func aFarPointOutsideFixedAxesIsNotDrawn() {
        let plot = ScatterPlot(
            points: [.init(x: 1e30, y: 0.5, classIndex: 0), .init(x: 0.5, y: -1e300, classIndex: 0)],
            classColors: [.red], xRange: 0...1, yRange: 0...1)
        #expect(rendered(plot, width: 4, height: 2).lines == ["    ", "    "])
        let chart = LineChart(series: [.init(name: "a", values: [0.5, 1e30, 0.5], color: .red)], yRange: 0...1)
        renderAtTinySizes(chart)
        _ = rendered(chart, width: 30, height: 8)
    }

    @Test func fittedAxesOverTheWholeDoubleRange() {
        let plot = ScatterPlot(
            points: [.init(x: -1e308, y: -1e308, classIndex: 0), .init(x: 1e308, y: 1e308, classIndex: 0)],
            classColors: [.red])
        let shown = rendered(plot, width: 4, height: 2).lines.joined()
        #expect(shown.contains { $0 != " " }, "\(shown)")
        let chart = LineChart(series: [.init(name: "a", values: [-1e308, 1e308], color: .red)])
        renderAtTinySizes(chart)
        _ = rendered(chart, width: 30, height: 8)
    }
}
