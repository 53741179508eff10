import Testing

@testable import TerminalUI

@Suite struct LayoutTests {
    let area = Rect(x: 0, y: 0, width: 100, height: 20)

    @Test func lengthPercentageFill() {
        let parts = Layout.horizontal([.length(10), .percentage(50), .fill(1)]).split(area)
        #expect(parts.map(\.width) == [10, 50, 40])
        #expect(parts.map(\.x) == [0, 10, 60])
        #expect(parts.allSatisfy { $0.height == 20 && $0.y == 0 })
    }

    @Test func fillWeightsAndMin() {
        let parts = Layout.vertical([.fill(1), .fill(3)]).split(area)
        #expect(parts.map(\.height) == [5, 15])
        let withMin = Layout.horizontal([.min(30), .fill(1)]).split(area)
        #expect(withMin.map(\.width) == [65, 35])
    }

    @Test func spacing() {
        let parts = Layout.horizontal([.fill(1), .fill(1)], spacing: 2).split(area)
        #expect(parts.map(\.width) == [49, 49])
        #expect(parts[1].x == 51)
    }

    @Test func shortOfSpaceLaterSlotsShrinkFirstAndNothingOverflows() {
        let small = Rect(x: 3, y: 0, width: 12, height: 1)
        let parts = Layout.horizontal([.length(8), .length(8), .fill(1)]).split(small)
        #expect(parts.map(\.width) == [8, 4, 0])
        for part in parts { #expect(part.right <= small.right && part.x >= small.x) }
    }

    @Test func emptyAreasAndConstraints() {
        #expect(Layout.vertical([]).split(area).isEmpty)
        let parts = Layout.vertical([.length(3), .fill(1)]).split(.zero)
        let allEmpty = parts.allSatisfy { $0.isEmpty }
        #expect(allEmpty)
    }

    @Test func rectGeometry() {
        let r = Rect(x: 2, y: 3, width: 10, height: 4)
        #expect(
            r.intersection(Rect(x: 0, y: 0, width: 5, height: 5)) == Rect(x: 2, y: 3, width: 3, height: 2)
        )
        #expect(r.intersection(Rect(x: 50, y: 50, width: 5, height: 5)).isEmpty)
        #expect(r.centered(width: 4, height: 2) == Rect(x: 5, y: 4, width: 4, height: 2))
        #expect(Rect(x: 0, y: 0, width: -5, height: 3).width == 0)
    }
}
