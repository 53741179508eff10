import Attacks
import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The sanity panel in a terminal too short for all its lines says how many it leaves out.
@Suite struct SanityPanelHiddenLinesTests {
    /// Bug: at 80x24 the Attack lab's sanity panel gave up lines (so every class's probability shows) and
    /// nothing said that any were missing. Its last row now ends in `+N more`
    /// (N: the lines left out).
    @Test(arguments: [(80, 24), (60, 18)])
    func theLastRowCountsTheHiddenLines(size: (width: Int, height: Int)) throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        // Two fired checks (a line and a suggestion each) and four clear ones: eight lines.
        let checks = SanityFlag.Check.allCases.enumerated().map { index, check in
            SanityFlag(check, status: index < 2 ? .fired : .clear, value: 0, figure: "figure \(index)")
        }
        let job = AttackLabSmallTerminalTests.job(checks: checks)
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: size.width, height: size.height)
        let text = frame.joined(separator: "\n")
        let top = try #require(frame.firstIndex { $0.contains("╭ sanity checks") }, "\(text)")
        let bottom = try #require(frame[(top + 1)...].firstIndex { $0.hasPrefix("╰") }, "\(text)")
        let shown = bottom - top - 1
        try #require(shown < 8, "all eight lines fit at \(size):\n\(text)")
        #expect(frame[bottom - 1].contains("+\(8 - shown) more"), "\(size):\n\(text)")
    }

    /// Bug: a last line longer than the panel was overwritten by `+N more` mid-word ("... zero or vanish +2
    /// more"); it is cut with its "…" before the marker.
    @Test func theMarkerFollowsTheLastLineCut() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let long = Array(repeating: "figure", count: 40).joined(separator: " ")
        let checks = SanityFlag.Check.allCases.map { SanityFlag($0, status: .clear, value: 0, figure: long) }
        let job = AttackLabSmallTerminalTests.job(checks: checks)
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 80, height: 24)
        let text = frame.joined(separator: "\n")
        let top = try #require(frame.firstIndex { $0.contains("╭ sanity checks") }, "\(text)")
        let bottom = try #require(frame[(top + 1)...].firstIndex { $0.hasPrefix("╰") }, "\(text)")
        try #require(bottom - top - 1 < checks.count, "every line fits:\n\(text)")
        let last = frame[bottom - 1]
        let marker = try #require(last.range(of: " +"), "\(last)")
        #expect(last[..<marker.lowerBound].hasSuffix("…"), "\(last)")
    }
}
