import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// A key that does nothing on the screen shown says so on the status line. Before, it did nothing at all:
/// Space on Home (to pause the training), `R` on a generative run in Runs, `←` in the purification view or
/// Space on an empty Sample screen left the screen as it was, with no word why.
@Suite struct UnusedKeyTests {
    @Test func aKeyHomeDoesNotUseSaysSo() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.message = ""
        _ = state.handle(.key(.character(" ")))
        #expect(state.message == "Space does nothing on Home (? lists the keys)", "\(state.message)")
        // Home's own keys answer as before: no such message.
        state.message = ""
        _ = state.handle(.key(KeyEvent(.down)))
        #expect(state.message == "")
        let status = WorkbenchFixture.frame(state, width: 100, height: 24).last ?? ""
        #expect(!status.contains("does nothing"), "\(status)")
    }

    @Test func aJobScreenWithoutAJobSaysWhatStartsOne() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(SampleScreen.self)
        _ = state.handle(.key(.character(" ")))
        #expect(state.message == "Space: no job on Sample yet (Enter starts one)", "\(state.message)")
    }

    /// The purification view takes no `←` `→` and no `n`: the keys of the lab's attack. Its own `+` does.
    @Test func aKeyTheShownJobDoesNotTakeSaysSo() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "purify · clf ← ddpm") { _ in }
        defer { job.runner.send(.stop) }
        job.controls = Job.purificationControls(ladder: PurifierLadder())
        state.add(job)
        _ = state.handle(.key(KeyEvent(.left)))
        #expect(state.message == "← does nothing in purify · clf ← ddpm (? lists the keys)", "\(state.message)")
        _ = state.handle(.key(.character("n")))
        #expect(state.message == "n does nothing in purify · clf ← ddpm (? lists the keys)", "\(state.message)")
        state.message = ""
        _ = state.handle(.key(.character("+")))
        #expect(state.message == "")
        // `]` with no other job on the screen says so too.
        _ = state.handle(.key(.character("]")))
        #expect(state.message == "no next job on Attack lab (this is 1 of 1)", "\(state.message)")
    }

    @Test func robustnessOnAGenerativeRunSaysItNeedsAClassifier() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        try WorkbenchFixture.writeRun(
            "vae-synthetic-20260101-000000", in: root,
            config: WorkbenchFixture.config(model: "vae", created: "2026-01-01T00:00:00Z"))
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.show(RunsScreen.self)
        _ = WorkbenchFixture.frame(state, width: 120, height: 30)
        _ = state.handle(.key(.character("R")))
        #expect(state.jobs.isEmpty)
        #expect(
            state.message == "R: robustness needs a classifier run (vae-synthetic-20260101-000000: model vae)",
            "\(state.message)")
        _ = state.handle(.key(.character("z")))
        #expect(state.message == "z does nothing on Runs (? lists the keys)", "\(state.message)")
        state.message = ""
        _ = state.handle(.key(KeyEvent(.down)))
        #expect(state.message == "")
    }
}
