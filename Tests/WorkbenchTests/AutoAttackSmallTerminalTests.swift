import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's AutoAttack panel in small terminals: a row for the clean images and one per component.
@Suite struct AutoAttackSmallTerminalTests {
    /// The lab showing AutoAttack under way (`AutoAttackViewTests.progress`) at `size`.
    static func frame(_ size: (width: Int, height: Int)) -> [String] {
        WorkbenchFixture.jobFrame(
            kind: .attack, title: "autoattack · fixture", width: size.width, height: size.height
        ) { snapshot in
            snapshot.bars["clean"] = (0..<10).map { .init(label: "\($0)", value: 0.01) }
            snapshot.bars["adversarial"] = (0..<10).map { .init(label: "\($0)", value: 0.02) }
            snapshot.figures = [("method", "autoattack"), ("eps", "0.1"), ("image", "1 (true: 3)")]
            snapshot.autoAttack = AutoAttackViewTests.progress
        }
    }

    /// Bug: at 70x20 the panel had room for the clean row and three components; `square` was not drawn.
    /// The images above now give up rows until every row shows.
    @Test(arguments: [(70, 20), (60, 18), (80, 24)])
    func everyComponentRowShows(size: (width: Int, height: Int)) throws {
        let frame = Self.frame(size)
        let text = frame.joined(separator: "\n")
        for row in ["│clean ", "│apgd-ce ", "│apgd-t ", "│fab-t ", "│square "] {
            #expect(frame.contains { $0.contains(row) }, "\(size): no \(row) row:\n\(text)")
        }
    }
}

/// The AutoAttack panel's figures in a narrow panel.
@Suite struct AutoAttackNarrowPanelTests {
    /// Bug: at 60 to 66 columns the panel was 18 to 24 wide, and each row's robust accuracy was cut without a
    /// mark to the columns its name and count left: "clean 1  0." for 0.900, "apgd-ce 3  0.6" for 0.600 (read
    /// as another figure), and the running component showed "▶ running" without its iterations.
    @Test(arguments: [(60, 18), (64, 20), (66, 24)])
    func everyRowKeepsItsWholeFigure(size: (width: Int, height: Int)) throws {
        let frame = AutoAttackSmallTerminalTests.frame(size)
        let text = frame.joined(separator: "\n")
        for (row, figure) in [
            ("│clean ", "0.900│"), ("│apgd-ce ", "0.600│"), ("│apgd-t ", "0.500│"), ("│fab-t ", "340/900"),
        ] {
            #expect(
                frame.contains { $0.contains(row) && $0.contains(figure) },
                "\(size): \(row) without \(figure):\n\(text)")
        }
        #expect(frame.contains { $0.contains("│apgd-ce ") && $0.contains(" 3 ") }, "\(size):\n\(text)")
    }
}
