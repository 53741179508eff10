import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Robustness screen's threat-model table (`t`).
@Suite struct ThreatTableViewTests {
    @Test func theTableAndItsBarsAreDrawn() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .robustness, title: "threat models") { snapshot in
            snapshot.tables["threat models"] = [
                ["threat", "budget", "std: acc · dist", "robust: acc · dist"], ["clean", "", "0.905", "0.830"],
                ["pgd-linf", "eps 0.1", "0.085 · 0.205", "0.675 · 0.074"],
                ["spatial", "±10 deg, ±1 px", "0.445 · 0.197", "…"],
            ]
            snapshot.bars["threat models"] = [
                Snapshot.Bar(label: "pgd-linf · std", value: 0.085),
                Snapshot.Bar(label: "pgd-linf · robust", value: 0.675),
            ]
            snapshot.figures = [("images", "200 (fashion test)"), ("cells", "5/8")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        #expect(state.screen is RobustnessScreen)
        let frame = WorkbenchFixture.frame(state, width: 150, height: 36)
        let text = frame.joined(separator: "\n")
        for expected in [
            "std: acc · dist", "robust: acc · dist", "0.085 · 0.205", "0.675 · 0.074", "±10 deg, ±1 px",
            "pgd-linf · robust", "robust accuracy per threat model and run", "200 (fashion test)",
        ] {
            #expect(frame.contains { $0.contains(expected) }, "\(expected) missing:\n\(text)")
        }
        // The bars give the table's three decimals (they were rounded to two: 0.675 drawn "0.68").
        for (label, value) in [("pgd-linf · std", "0.085"), ("pgd-linf · robust", "0.675")] {
            #expect(
                frame.contains { $0.contains(label) && $0.contains(value) && !$0.contains(" · 0.") },
                "bar \(label) \(value) missing:\n\(text)")
        }
        #expect(!frame.contains { $0.contains("robust accuracy over eps") }, "\(text)")
    }
}
