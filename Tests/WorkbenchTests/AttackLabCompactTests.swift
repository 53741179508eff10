import Attacks
import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab at 80x24 once the sanity checks have run: the probability panels still show every class.
@Suite struct AttackLabCompactTests {
    /// Bug: the six sanity lines left the probability panels three rows, which held 9 of the 10 classes
    /// (class 9 was not drawn). The sanity panel now gives up lines until the probabilities fit.
    @Test func everyClassShowsBesideTheSanityChecks() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "pgd · fixture") { snapshot in
            snapshot.bars["clean"] = (0..<10).map { .init(label: "\($0)", value: $0 == 3 ? 0.91 : 0.01) }
            snapshot.bars["adversarial"] = (0..<10).map { .init(label: "\($0)", value: $0 == 8 ? 0.82 : 0.02) }
            snapshot.figures = [("method", "pgd"), ("eps", "0.1"), ("image", "0 (true: 3)")]
            snapshot.checks = SanityFlag.Check.allCases.map {
                SanityFlag($0, status: .clear, value: 0, figure: "figure of \($0.rawValue)")
            }
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 80, height: 24)
        let top = try #require(frame.firstIndex { $0.contains("probabilities · clean") }, "\(frame)")
        let bottom = try #require(frame[(top + 1)...].firstIndex { $0.hasPrefix("╰") }, "\(frame)")
        let panel = frame[(top + 1)..<bottom].joined(separator: "\n")
        for (label, value) in [("3", "0.91"), ("8", "0.82"), ("9", "0.01"), ("9", "0.02")] {
            #expect(
                panel.contains("\(label) \(value)"),
                "class \(label) \(value) missing:\n\(frame.joined(separator: "\n"))")
        }
        #expect(frame.contains { $0.contains("sanity checks · none fired") }, "\(frame.joined(separator: "\n"))")
    }
}
