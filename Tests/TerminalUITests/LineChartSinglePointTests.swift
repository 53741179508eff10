import Testing

@testable import TerminalUI

/// A chart of one point (the per-epoch chart of a run of one epoch).
@Suite struct LineChartSinglePointTests {
    /// Bug: the axis ran from the point's x to x + 1 ("1 … 2") and the point sat on the left frame, where
    /// it was hard to see; it is in the middle now, with its x labelled under it.
    @Test func aSinglePointSitsInTheMiddleOfItsAxis() {
        let chart = LineChart(series: [.init(name: "a", values: [0.5], xValues: [1], color: .red)], yRange: 0...1)
        let lines = rendered(chart, width: 41, height: 8).lines
        let plotRows = lines.dropLast(2)
        let columns = plotRows.compactMap { row -> Int? in
            let characters = Array(row)
            return characters.indices.first { (0x2801...0x28FF).contains(characters[$0].unicodeScalars.first!.value) }
        }
        #expect(columns.count == 1, "\(lines.joined(separator: "\n"))")
        let axisStart = Array(lines[lines.count - 2]).firstIndex(of: "└")!
        let middle = axisStart + (41 - axisStart) / 2
        #expect(columns.allSatisfy { abs($0 - middle) <= 1 }, "\(lines.joined(separator: "\n"))")
        let labels = Array(lines[lines.count - 1])
        #expect(
            labels.indices.contains { labels[$0] == "1" && abs($0 - middle) <= 1 }, "\(lines.joined(separator: "\n"))")
    }
}
