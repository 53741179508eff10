import Bench
import Foundation
import Testing

/// Ctrl-Z in a real pseudo-terminal (tmux): the workbench suspends where a shell with job control can
/// resume it, and says why it does not where none can.
@Suite(.serialized, .enabled(if: TmuxSession.available, "tmux is not installed (apt-get install tmux)"))
struct WorkbenchSuspendTests {
    /// The `stty` settings of the session's pane.
    static func paneSettings(_ session: TmuxSession) -> String {
        let tty = session.format("#{pane_tty}")
        let run = try? ChildProcess.run("/bin/sh", ["-c", "stty -a < \(tty)"], timeout: 10)
        return run.map { String(decoding: $0.stdout, as: UTF8.self) } ?? ""
    }

    /// Bug: started as the pane's own command (`tmux new 'manifold'`; also `ssh -t host manifold`), the
    /// workbench's process group is orphaned and the kernel discards its stop: Ctrl-Z restored the terminal
    /// (cooked mode, blank screen) and the process ran on with nothing to set it up again, typed keys echoed
    /// until a stray Enter passed them in. It now stays in its modes and says why it did not suspend.
    @Test func withoutAShellToResumeItCtrlZSaysSoAndTheWorkbenchGoesOn() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(
            command: "exec env MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused", width: 120, height: 40)
        defer { session.close() }
        #expect(session.waitFor("paused"), "\(session.screen())")
        session.send("C-z")
        #expect(session.waitFor("no shell here can resume"), "\(session.screen())")
        let settings = Self.paneSettings(session)
        #expect(settings.contains("-icanon") && settings.contains("-echo "), "\(settings)")
        session.send("6")
        #expect(session.waitFor("No runs yet"), "\(session.screen())")
    }

    /// From an interactive shell, Ctrl-Z stops the workbench (the shell says so) and `fg` brings it back in
    /// its modes.
    @Test func fromAShellWithJobControlCtrlZSuspendsAndFgResumes() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(command: "env PS1='prompt$ ' bash --norc --noprofile -i", width: 120, height: 40)
        defer { session.close() }
        #expect(session.waitFor("prompt$"), "\(session.screen())")
        session.send("MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused")
        session.send("Enter")
        #expect(session.waitFor("paused"), "\(session.screen())")
        session.send("C-z")
        #expect(session.waitFor("Stopped"), "\(session.screen())")
        session.send("fg")
        session.send("Enter")
        #expect(session.waitFor("paused"), "\(session.screen())")
        let settings = Self.paneSettings(session)
        #expect(settings.contains("-icanon"), "\(settings)")
        session.send("q")
        #expect(session.waitFor("prompt$"), "\(session.screen())")
    }
}
