import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The shown job on the right of the status line. Bug: a title too long for the right half (which the status
/// line never exceeds) was cut at the end, inside the step: at 120x40 in the Attack lab after `n` twice,
/// "finished apgd · mlp-synthetic-20261207-141111 · step 100/10…" (it was 100/100). The title is now cut in
/// its middle, as the Runs screen cuts run names, and the step stays whole.
@Suite struct StatusLineJobTitleTests {
    static let title = "autoattack-apgd-ce · mlp-fashion-20261207-141111"

    static func statusLine(width: Int) -> (line: String, step: String) {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: title) { _ in }
        defer { job.runner.send(.stop) }
        state.add(job)
        state.messageTime = .distantPast
        let s = job.runner.snapshot
        return (WorkbenchFixture.frame(state, width: width, height: 40).last ?? "", "step \(s.step)/\(s.totalSteps)")
    }

    @Test func theTitleIsCutInItsMiddleAndTheStepStaysWhole() {
        for width in [80, 100, 120] {
            let (line, step) = Self.statusLine(width: width)
            #expect(line.hasSuffix(" · " + step), "\(width): \(line)")
            #expect(line.contains("paused autoatt") && line.contains("-141111 · step"), "\(width): \(line)")
            #expect(line.contains("…"), "\(width): \(line)")
        }
    }

    /// Where it fits, the title is whole.
    @Test func aTitleThatFitsIsWhole() {
        let (line, step) = Self.statusLine(width: 140)
        #expect(line.hasSuffix(Self.title + " · " + step), "\(line)")
    }
}
