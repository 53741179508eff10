import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The workbench ended by a signal while it trains removes what the headless `train` removes.
@Suite(.serialized, .enabled(if: TmuxSession.available, "tmux is not installed (apt-get install tmux)"))
struct WorkbenchSignalCleanupTests {
    /// The lock files and atomic-write temporaries under `folder`.
    static func debris(under folder: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasSuffix(".lock") || $0.contains(".tmp-") }
    }

    /// Bug: the workbench closed by SIGTERM or SIGHUP (`kill`, its tmux pane killed) while it trained left the
    /// run's lock file `.RUN.lock` in the runs folder every time, and sometimes a `.model.safetensors.tmp-N`: its
    /// signal handler restored the terminal and re-raised the signal, never removing what the headless `train`
    /// removes. Now a thread of its own removes them after the handler restored the terminal, and the process
    /// still ends by the signal (exit status 128 + n).
    @Test(arguments: [(SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")])
    func aSignalWhileTrainingLeavesNoLockFile(signal: Int32, name: String) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let runs = root + "/runs"
        let session = try TmuxSession(
            command:
                "MANIFOLD_RUNS=\(runs) \(ManifoldBinary.path) tui; echo \"exit=$?\" > \(root)/status.partial; mv \(root)/status.partial \(root)/status; sleep 30",
            width: 120, height: 40)
        defer { session.close() }
        // The workbench opens training the MLP into a new run, whose lock it holds.
        let deadline = Date().addingTimeInterval(120)
        while Self.debris(under: runs).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try #require(!Self.debris(under: runs).isEmpty, "no training took a run: \(session.screen())")
        Thread.sleep(forTimeInterval: 0.5)
        let workbench = TerminalRestoreTests.children(of: session)
        try #require(workbench.count == 1, "one workbench process under the shell, found \(workbench)")
        kill(workbench[0], signal)
        #expect(waitUntilFile("\(root)/status", timeout: 20), "\(name): the workbench did not end")
        let status = (try? String(contentsOfFile: "\(root)/status", encoding: .utf8)) ?? ""
        #expect(status.contains("exit=\(128 + signal)"), "\(name): \(status)")
        #expect(Self.debris(under: runs).isEmpty, "\(name) left \(Self.debris(under: runs))")
        #expect(
            TerminalRestoreTests.paneFlags(session) == "0 1 0", "\(name): alternate screen / cursor / mouse left on")
    }
}
