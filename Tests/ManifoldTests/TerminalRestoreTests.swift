import Foundation
import TensorCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The workbench in a real pseudo-terminal (tmux) is ended by a signal, by a crash signal (what a Swift
/// runtime trap raises), or by its terminal going away; the terminal must come back exactly as it was:
/// same `stty` settings, main screen, cursor shown, mouse reporting off.
@Suite(.serialized, .enabled(if: TmuxSession.available, "tmux is not installed (apt-get install tmux)"))
struct TerminalRestoreTests {
    /// The process ids of the pane's shell's children (the workbench).
    static func children(of session: TmuxSession) -> [pid_t] {
        let shell = (try? TmuxSession.tmux(["display-message", "-p", "-t", session.name, "#{pane_pid}"])) ?? ""
        guard let pid = Int32(shell.trimmingCharacters(in: .whitespacesAndNewlines)),
            let list = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        else { return [] }
        return list.split(separator: " ").compactMap { pid_t($0) }
    }

    static func paneFlags(_ session: TmuxSession) -> String {
        ((try? TmuxSession.tmux(
            ["display-message", "-p", "-t", session.name, "#{alternate_on} #{cursor_flag} #{mouse_any_flag}"])) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [
        (SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP"), (SIGQUIT, "SIGQUIT"), (SIGILL, "trap (SIGILL)"),
        (SIGSEGV, "SIGSEGV"), (SIGABRT, "SIGABRT"),
    ])
    func signalRestoresTheTerminal(signal: Int32, name: String) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(
            command:
                "ulimit -c 0; stty -g > \(root)/before; SWIFT_BACKTRACE=enable=no MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused; echo \"exit=$?\" > \(root)/status; stty -g > \(root)/after.partial; mv \(root)/after.partial \(root)/after; sleep 30",
            width: 100, height: 32)
        defer { session.close() }
        #expect(session.waitFor("paused"), "\(session.screen())")
        #expect(Self.paneFlags(session).hasPrefix("1 0"), "the workbench is on the alternate screen, cursor hidden")
        let workbench = Self.children(of: session)
        try #require(workbench.count == 1, "one workbench process under the shell, found \(workbench)")
        kill(workbench[0], signal)
        #expect(waitUntilFile("\(root)/after"), "\(name): the workbench did not end")
        let before = try String(contentsOfFile: "\(root)/before", encoding: .utf8)
        let after = try String(contentsOfFile: "\(root)/after", encoding: .utf8)
        #expect(before == after, "\(name): terminal settings changed")
        #expect(Self.paneFlags(session) == "0 1 0", "\(name): alternate screen / cursor / mouse left on")
        let status = try String(contentsOfFile: "\(root)/status", encoding: .utf8)
        #expect(status.contains("exit=\(128 + signal)"), "\(name): \(status)")
    }

    /// Bug: every start asked for kitty graphics with an APC string, which tmux (and GNU screen) take for a
    /// window title: the pane was named `Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA` after the workbench quit. Under a
    /// multiplexer the question is not asked.
    @Test func theWorkbenchLeavesTheTmuxPaneTitleAlone() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(
            command:
                "printf '\\033]2;my title\\033\\\\'; MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused; echo quit; sleep 30",
            width: 100, height: 32)
        defer { session.close() }
        #expect(session.waitFor("paused"), "\(session.screen())")
        session.send("q")
        #expect(session.waitFor("quit"), "\(session.screen())")
        #expect(session.format("#{pane_title}") == "my title")
    }

    /// The terminal closes under the workbench (the pane is killed): it must notice and exit, not spin.
    @Test func closedTerminalEndsTheWorkbench() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(
            command: "MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui; sleep 30", width: 100, height: 32)
        #expect(session.waitFor("running") || session.waitFor("paused"), "\(session.screen())")
        let workbench = Self.children(of: session)
        try #require(workbench.count == 1, "one workbench process under the shell, found \(workbench)")
        session.close()
        let deadline = Date().addingTimeInterval(15)
        while kill(workbench[0], 0) == 0 && Date() < deadline { usleep(50_000) }
        let alive = kill(workbench[0], 0) == 0
        if alive { kill(workbench[0], SIGKILL) }
        #expect(!alive, "the workbench kept running after its terminal closed")
    }
}
