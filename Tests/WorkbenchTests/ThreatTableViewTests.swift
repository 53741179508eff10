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

/// The threat-model table in the smallest terminal the workbench takes.
@Suite struct ThreatTableSmallTerminalTests {
    static let table = [
        ["threat", "budget", "std: acc · dist", "rob: acc · dist"], ["clean", "", "0.710", "0.400"],
        ["pgd-linf", "eps 0.1", "0.110 · 0.107", "0.060 · 0.063"],
        ["pgd-l2", "eps 2.2", "0.060 · 0.138", "0.040 · 0.079"],
        ["spatial", "±10 deg, ±1 px", "0.190 · 0.155", "0.150 · 0.147"],
        ["lpa", "bound 0.1", "0.000 · 0.069", "0.000 · 0.027"],
    ]

    /// Bug: at 60x18 the figures box kept 40 of the 60 columns, and the table in the other 20 showed every
    /// figure as "0.…" ("pgd-linf   … … 0.…"); the bars panel below had room for 2 of the 8 bars and drew those,
    /// with nothing to say that 6 were left out.
    @Test(arguments: [(60, 18), (70, 20)])
    func theTableKeepsItsFiguresAndTheBarsSayWhatIsLeftOut(size: (width: Int, height: Int)) throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .robustness, title: "threat models") { snapshot in
            snapshot.tables["threat models"] = ThreatTableSmallTerminalTests.table
            snapshot.bars["threat models"] = ["pgd-linf", "pgd-l2", "spatial", "lpa"].flatMap { threat in
                [
                    Snapshot.Bar(label: "\(threat) · std", value: 0.1),
                    Snapshot.Bar(label: "\(threat) · rob", value: 0.05),
                ]
            }
            snapshot.figures = [("images", "100 (synthetic test)"), ("cells", "8/8")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: size.width, height: size.height)
        let text = frame.joined(separator: "\n")
        for row in ThreatTableSmallTerminalTests.table.dropFirst() {
            #expect(
                frame.contains { line in row.filter { !$0.isEmpty }.allSatisfy { line.contains($0) } },
                "\(size): row \(row) is cut:\n\(text)")
        }
        let shown = frame.filter { $0.contains(" · std ") || $0.contains(" · rob ") }.count
        if shown < 8 {
            #expect(frame.contains { $0.contains("+\(8 - shown) more") }, "\(size): \(shown) of 8 bars:\n\(text)")
        }
    }
}

/// Run names in the threat-model table and its bars, cut in the middle where they do not fit.
@Suite struct ThreatTableRunNamesTests {
    static let standard = "mlp-synthetic-20260101-120000"
    static let robust = "mlp-synthetic-20260101-130512"

    /// Bug: at 60x18 both runs' columns were headed "mlp-synthetic-…" and both bars labelled
    /// "pgd-linf · mlp-sy…": the names, which differ only in their time, were cut at the end.
    @Test func namesThatDifferAtTheEndStayApartAt60x18() {
        let frame = WorkbenchFixture.jobFrame(kind: .robustness, title: "threat models", width: 60, height: 18) { s in
            s.tables["threat models"] = [
                ["threat", "budget", "\(Self.standard): acc · dist", "\(Self.robust): acc · dist"],
                ["clean", "", "0.905", "0.830"], ["pgd-linf", "eps 0.1", "0.085 · 0.205", "0.675 · 0.074"],
            ]
            s.bars["threat models"] = [
                Snapshot.Bar(label: "pgd-linf · \(Self.standard)", value: 0.085),
                Snapshot.Bar(label: "pgd-linf · \(Self.robust)", value: 0.675),
            ]
        }
        let text = frame.joined(separator: "\n")
        #expect(
            frame.contains { $0.contains("01-120000") && $0.contains("01-130512") && $0.contains("budget") },
            "\(text)")
        for (end, value) in [("20000", "0.085"), ("30512", "0.675")] {
            #expect(
                frame.contains { $0.contains("pgd-linf · ") && $0.contains(end) && $0.contains(value) }, "\(text)")
        }
    }

    @Test func fittedKeepsThePrefixAndSuffixWhileTheNameHasRoom() {
        #expect(RobustnessScreen.fitted(name: "abcdefghij", suffix: ": acc", width: 20) == "abcdefghij: acc")
        #expect(RobustnessScreen.fitted(name: "abcdefghijkl", suffix: ": acc", width: 14) == "abc…hijkl: acc")
        #expect(RobustnessScreen.fitted(name: "abcdefghijkl", suffix: ": acc", width: 10) == "abc…ghijkl")
        #expect(RobustnessScreen.fitted(name: "abcdefghijkl", prefix: "pgd · ", width: 10) == "pgd…ghijkl")
    }
}
