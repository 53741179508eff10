import Bench
import Foundation
import TensorCore
import Testing

/// Drives the real binary in a terminal (tmux) and reads the screen: start, step, run, pause, switch
/// screens, quit; the terminal settings must be restored exactly.
@Suite(.serialized, .enabled(if: TmuxSession.available, "tmux is not installed (apt-get install tmux)"))
struct WorkbenchTerminalTests {
    @Test func trainStepPauseSwitchAndQuitRestoresTheTerminal() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(
            command:
                "stty -g > \(root)/before; MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused; echo \"exit=$?\" > \(root)/status; stty -g > \(root)/after.partial; mv \(root)/after.partial \(root)/after; sleep 30",
            width: 100, height: 32)
        defer { session.close() }
        #expect(session.waitFor("paused"), "\(session.screen())")
        #expect(session.screen().contains("step 0/"))
        session.send(".")
        #expect(session.waitFor("step 1/"), "\(session.screen())")
        session.send(">")
        #expect(session.waitFor("step 11/"), "\(session.screen())")
        session.send("Space")
        #expect(session.waitFor("running"))
        session.send("Space")
        #expect(session.waitFor("paused"))
        session.send("1")
        #expect(session.waitFor("start a job"))
        session.send("4")
        #expect(session.waitFor("No attack running"))
        session.send("6")
        #expect(session.waitFor("runs in"))
        session.send("?")
        #expect(session.waitFor("Keys"))
        session.send("?")
        #expect(session.waitFor("runs in"))
        session.send("q")
        #expect(waitUntilFile("\(root)/after"))
        let before = try String(contentsOfFile: "\(root)/before", encoding: .utf8)
        let after = try String(contentsOfFile: "\(root)/after", encoding: .utf8)
        #expect(before == after, "terminal settings changed")
        #expect(try String(contentsOfFile: "\(root)/status", encoding: .utf8).contains("exit=0"))
    }

    @Test func attackLabRunsAnAttackOnASavedClassifier() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "target", "--train-limit", "1000", "--test-limit", "300", "--quiet"],
            runsRoot: "\(root)/runs")
        #expect(trained.status == 0, "\(trained.stderr)")
        let session = try TmuxSession.pausedWorkbench(runs: "\(root)/runs")
        defer { session.close() }
        session.send("4")
        session.send("Enter")
        #expect(session.waitFor("probabilities · adversarial"), "\(session.screen())")
        #expect(session.waitFor("iteration"), "\(session.screen())")
        session.send("5")
        session.send("Enter")
        #expect(session.waitFor("PCA reconstructions"), "\(session.screen())")
        session.send("6")
        #expect(session.waitFor("target"))
        session.send("t")
        #expect(session.waitFor("(resumed)"), "\(session.screen())")
        #expect(session.waitFor("finished", timeout: 30), "\(session.screen())")
        session.send("q")
        let config = try String(contentsOfFile: "\(root)/runs/target/config.json", encoding: .utf8)
        #expect(config.contains("\"epochs_done\": 6"), "\(config)")
    }

    /// Bug: quitting the workbench (`q`, or Ctrl-C, which arrives as a key) left the lock file of every
    /// training job it had started, `.mlp-synthetic-DATE.lock` for the MLP of each launch, in the runs folder.
    @Test func quittingLeavesNoLockFile() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession(
            command: "MANIFOLD_RUNS=\(root)/runs \(ManifoldBinary.path) tui --paused; touch \(root)/ended; sleep 30",
            width: 120, height: 40)
        defer { session.close() }
        #expect(session.waitFor("paused"), "\(session.screen())")
        func locks() -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/runs")) ?? []
            return names.filter { $0.hasSuffix(".lock") }
        }
        #expect(locks().count == 1, "the paused MLP job holds no lock: \(locks())")
        session.send("C-c")
        #expect(waitUntilFile("\(root)/ended"), "\(session.screen())")
        #expect(locks().isEmpty, "left behind: \(locks())")
    }

    /// Live controls on the Sample screen: `+` changes the Langevin step size, `{` / `}` the step rate.
    @Test func sampleScreenStepSizeAndPaceChangeLive() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let session = try TmuxSession.pausedWorkbench(runs: "\(root)/runs")
        defer { session.close() }
        session.send("3")
        #expect(session.waitFor("No sampler running"), "\(session.screen())")
        session.send("Enter")
        #expect(session.waitFor("2-D Langevin toy", timeout: 30), "\(session.screen())")
        session.send("+")
        #expect(session.waitFor("Langevin step size", timeout: 30), "\(session.screen())")
        session.send("{")
        #expect(session.waitFor("at most 100 steps a second"), "\(session.screen())")
        session.send("}")
        #expect(session.waitFor("full speed"), "\(session.screen())")
        session.send("q")
    }

    @Test func tinyTerminalShowsANoticeAndDumbTerminalIsRefused() throws {
        let session = try TmuxSession(command: "\(ManifoldBinary.path) tui --paused; sleep 30", width: 40, height: 10)
        defer { session.close() }
        #expect(session.waitFor("too small"), "\(session.screen())")
        session.send("q")
        let dumb = try ManifoldBinary.run(["tui"], environment: ["TERM": "dumb"])
        #expect(dumb.status == 1 && dumb.stderr.contains("TERM=dumb"))
        // `demo` drew its full screen there (escapes printed as text); it is refused as `tui` is.
        let dumbDemo = try ManifoldBinary.run(["demo"], environment: ["TERM": "dumb"])
        #expect(dumbDemo.status == 1 && dumbDemo.stderr.contains("TERM=dumb"), "\(dumbDemo.stderr)")
        let piped = try ManifoldBinary.run(["tui"])
        #expect(piped.status == 1 && piped.stderr.contains("not a terminal"))
    }
}

func waitUntilFile(_ path: String, timeout: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if FileManager.default.fileExists(atPath: path) { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return false
}

/// A detached tmux session running one command, with keys in and the screen out.
struct TmuxSession {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    let name = "manifold-test-\(UInt32.random(in: 0...UInt32.max))"

    init(command: String, width: Int, height: Int) throws {
        try TmuxSession.tmux(
            ["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), command])
    }

    /// The workbench started paused on the runs folder `runs`, 120 columns wide, once it shows that it
    /// is paused (an expectation of the calling test). Callers close it.
    static func pausedWorkbench(runs: String, height: Int = 40) throws -> TmuxSession {
        let session = try TmuxSession(
            command: "MANIFOLD_RUNS=\(runs) \(ManifoldBinary.path) tui --paused; sleep 30", width: 120, height: height)
        #expect(session.waitFor("paused"), "\(session.screen())")
        return session
    }

    func send(_ key: String) {
        _ = try? TmuxSession.tmux(["send-keys", "-t", name, key])
    }

    /// Sends raw bytes as terminal input (e.g. an SGR mouse report), not as tmux key names.
    func sendBytes(_ text: String) {
        _ = try? TmuxSession.tmux(["send-keys", "-t", name, "-H"] + text.utf8.map { String(format: "%02x", $0) })
    }

    /// A tmux format value of the pane, e.g. `#{mouse_any_flag}` (1 while the program reports the mouse).
    func format(_ format: String) -> String {
        ((try? TmuxSession.tmux(["display-message", "-p", "-t", name, format])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func screen() -> String {
        (try? TmuxSession.tmux(["capture-pane", "-p", "-t", name])) ?? ""
    }

    func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if screen().contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    func close() {
        _ = try? TmuxSession.tmux(["kill-session", "-t", name])
    }

    /// Runs tmux and returns what it printed. A tmux command that takes over 20 seconds is killed:
    /// the test then fails on the screen it expected instead of stalling the suite.
    @discardableResult
    static func tmux(_ arguments: [String]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        environment["TMUX"] = nil
        let run = try ChildProcess.run("/usr/bin/tmux", arguments, environment: environment, timeout: 20)
        return String(decoding: run.stdout, as: UTF8.self)
    }
}
