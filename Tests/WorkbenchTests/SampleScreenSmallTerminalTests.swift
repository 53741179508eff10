import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Sample screen of a steered run in the small terminals the workbench supports (80x24, 60x18): the
/// class and guidance that `c` / `w` set stay in view, and no panel is squeezed into a broken strip.
@Suite struct SampleScreenSmallTerminalTests {
    /// The figures a steered DDIM chain publishes, in the sampler's order.
    static func steeredFigures(classLabel: String) -> [(name: String, value: String)] {
        [
            ("method", "ddim"), ("step", "3/50"), ("t", "941"), ("noise level", "0.9999"), ("score norm", "0.7778"),
            ("class", classLabel), ("guidance", "w 2 (classifier-free)"),
        ]
    }

    static func sampleFrame(
        width: Int, height: Int, classLabel: String, perClass: Bool, images: Int
    ) -> [String] {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .sampling, title: "ddim · cond") { snapshot in
            let pictures = (0..<images).map { i in
                Snapshot.Image(width: 4, height: 4, values: [Float](repeating: 0.5, count: 16), caption: "\(i % 10)")
            }
            snapshot.images["x_t"] = pictures
            snapshot.images["x0"] = pictures
            snapshot.figures = steeredFigures(classLabel: classLabel) + (perClass ? [("per class", "4")] : [])
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        return WorkbenchFixture.frame(state, width: width, height: height)
    }

    /// Bug: at 80x24 one class (`c`) left the sampler panel three rows tall, filled by the table's header,
    /// the method and the step: the class and guidance the keys had just set were cut off.
    @Test func oneClassShowsItsClassAndGuidanceAt80x24() {
        let frame = Self.sampleFrame(width: 80, height: 24, classLabel: "3 (w 2)", perClass: false, images: 4)
        let text = frame.joined(separator: "\n")
        #expect(frame.contains { $0.contains("class") && $0.contains("3 (w 2)") }, "\(text)")
        #expect(frame.contains { $0.contains("guidance") && $0.contains("w 2 (classifier-free)") }, "\(text)")
        #expect(frame.contains { $0.contains("sampler (c C: class, w W: guidance)") }, "\(text)")
    }

    /// Bug: at 60x18 a row per class left the noise chart one row: its title drawn as a stray line between
    /// two side borders. The chart now gives way to the figures, which all stay in view.
    @Test func aRowPerClassAt60x18HasNoBrokenChartAndEveryFigure() {
        let frame = Self.sampleFrame(
            width: 60, height: 18, classLabel: "all (a row of 4 per class)", perClass: true, images: 40)
        let text = frame.joined(separator: "\n")
        for line in frame where line.contains("noise level, score norm") {
            #expect(line.contains("╭ noise level, score norm"), "a chart title outside a panel's top border:\n\(text)")
        }
        for name in ["method", "class", "guidance", "per class"] {
            #expect(frame.contains { $0.contains("│\(name) ") }, "\(name) missing:\n\(text)")
        }
    }

    /// Bug: at 80x24 the sampler panel's first row was the table's blank header while the figures below it
    /// were cut (class, guidance, method; a scroll mark): the header now gives way, and the step shows too.
    @Test func theSamplerPanelSpendsNoRowOnABlankHeaderAt80x24() throws {
        let frame = Self.sampleFrame(width: 80, height: 24, classLabel: "none", perClass: false, images: 4)
        let text = frame.joined(separator: "\n")
        let title = try #require(frame.firstIndex { $0.contains("╭ sampler (c C: class, w W: guidance)") }, "\(text)")
        #expect(frame[title + 1].contains("│class "), "\(text)")
        #expect(frame.contains { $0.contains("│step ") && $0.contains("3/50") }, "\(text)")
    }
}
