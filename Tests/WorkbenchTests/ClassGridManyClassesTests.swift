import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Sample screen's grid with a row per class on a data folder with more classes than the panel has rows
/// (README: a folder's classes are as many as its labels need).
@Suite struct ClassGridManyClassesTests {
    /// The frame of a class-conditional chain's grids, `perClass` samples of each of `classes` classes
    /// captioned `c00`, `c01`, ... (names that are no part of one another).
    static func frame(classes: Int, perClass: Int, width: Int, height: Int) -> [String] {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .sampling, title: "ddim · cond") { snapshot in
            let images = (0..<classes).flatMap { k in
                (0..<perClass).map { _ in
                    Snapshot.Image(
                        width: 8, height: 8, values: [Float](repeating: 0.5, count: 64),
                        caption: "c" + (k < 10 ? "0" : "") + "\(k)")
                }
            }
            snapshot.images["x_t"] = images
            snapshot.images["x0"] = images
            snapshot.figures = [
                ("method", "ddim"), ("step", "3/50"), ("class", "all (a row of \(perClass) per class)"),
                ("guidance", "w 2 (classifier-free)"), ("per class", "\(perClass)"),
            ]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        return WorkbenchFixture.frame(state, width: width, height: height)
    }

    /// Bug: 64 classes in a 140x45 terminal drew the rows of classes 0 to 37 and silently left out the other
    /// 26 (the grid's rows fit one above the other or not at all). Rows that do not fit one above the
    /// other now stand in bands side by side, each class's row headed by its name, in both grids.
    @Test func sixtyFourClassesAllHaveTheirRow() {
        for (width, height) in [(140, 45), (100, 30)] {
            let frame = Self.frame(classes: 64, perClass: 4, width: width, height: height)
            let text = frame.joined(separator: "\n")
            let missing = (0..<64).map { "c" + ($0 < 10 ? "0" : "") + "\($0)" }.filter {
                text.components(separatedBy: $0).count - 1 != 2
            }
            #expect(missing.isEmpty, "\(width)x\(height): rows missing or repeated: \(missing)\n\(text)")
        }
    }

    /// Ten classes that fit keep the layout they had: one band, a row per class in order.
    @Test func tenClassesStayOneBand() {
        let frame = Self.frame(classes: 10, perClass: 4, width: 140, height: 45)
        let rows = (0..<10).map { k in frame.firstIndex { $0.contains("c0\(k)") } }
        #expect(rows.allSatisfy { $0 != nil })
        let found = rows.compactMap { $0 }
        #expect(found == found.sorted() && Set(found).count == 10, "\(frame.joined(separator: "\n"))")
    }
}
