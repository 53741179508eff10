import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The workbench's class scatter (Train, Sample) on data with more classes than the theme names.
@Suite struct ScatterManyClassesTests {
    /// The colour a lone point of class `label` (-1: a prior sample) is drawn in, on a 12-class scatter.
    static func colour(ofLabel label: Int, in state: WorkbenchState) -> Color? {
        var snapshot = Snapshot()
        snapshot.points = [.init(x: 0, y: 0, label: label)]
        var buffer = Buffer(width: 60, height: 20)
        state.renderScatter(
            snapshot, classNames: (0..<12).map { "class \($0)" }, title: "codes", in: buffer.area, buffer: &buffer)
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                let braille = buffer[x, y].grapheme.unicodeScalars.first.map { (0x2801...0x28FF).contains($0.value) }
                if braille == true { return buffer[x, y].foreground }
            }
        }
        return nil
    }

    /// Bug: on a 12-class run, class 10 was drawn in the muted colour of the prior's points, class 11 in
    /// class 0's colour and the prior's points in class 1's, since the scatter had only the theme's ten
    /// class colours. Each class now has its own, and the prior keeps the muted colour.
    @Test func classesBeyondTheTenAreNotDrawnInThePriorsOrAnotherClasssColour() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let state = WorkbenchState(
            theme: Theme.dark, colorDepth: .trueColor, kittyGraphics: false, dataSpec: "synthetic",
            screens: WorkbenchFixture.standardScreens(root: root))
        let colours = try (-1..<12).map { try #require(Self.colour(ofLabel: $0, in: state)) }
        #expect(colours[0] == Theme.dark.muted)
        #expect(Array(colours[1...10]) == Theme.dark.classes)
        #expect(Set(colours).count == 13, "\(colours.map(\.hexString))")
    }
}
