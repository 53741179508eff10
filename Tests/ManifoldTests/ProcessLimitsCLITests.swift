import Bench
import Foundation
import Testing

/// Commands run under small process limits (`ulimit -f`, `ulimit -n`) fail in one line, or work, and leave
/// nothing behind; they are never killed by a signal of the limit.
@Suite(.serialized) struct ProcessLimitsCLITests {
    /// Runs `manifold ARGUMENTS` after the shell command `limit` (`ulimit -f 100`), under `root` as the runs
    /// folder. The limit's signals keep their default action (no `trap`), as in a user's shell. The limit
    /// applies to the files that capture stdout and stderr too: it must leave room for the error line.
    static func run(_ arguments: [String], under limit: String, root: String) throws -> CommandResult {
        try ManifoldBinary.run(
            ["-c", "\(limit); exec \"$0\" \"$@\"", ManifoldBinary.path] + arguments, runsRoot: root, timeout: 300,
            executable: "/bin/sh")
    }

    /// The hidden files a failed or interrupted command must not leave under `root`: lock files and the
    /// temporaries of atomic writes.
    static func debris(under root: String) -> [String] {
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasSuffix(".lock") || $0.contains(".tmp-") }
    }

    /// Bug: a file-size limit reached by a write killed the command with SIGXFSZ ("File size limit exceeded",
    /// exit 153, no line of ours), leaving the run's lock file, a run folder without config.json and the
    /// half-written `.model.safetensors.tmp-N` (`sample --out a.png`: `.a.png.tmp-N`). The signal is ignored
    /// now, so the write fails with EFBIG and the command fails as on a full disk: one line naming the file,
    /// "File too large", exit 1, nothing left behind.
    @Test func aFileSizeLimitFailsTheWriteInOneLine() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try Self.run(
            ["train", "mlp", "--run", "f1", "--train-limit", "500", "--test-limit", "100", "--epochs", "2", "--quiet"],
            under: "ulimit -f 100", root: root)
        expectOneLine(trained, status: 1, "File too large", "train")
        #expect(trained.stderr.hasPrefix("manifold: "), "\(trained.stderr)")
        #expect(Self.debris(under: root).isEmpty, "train left \(Self.debris(under: root))")
        #expect(
            !FileManager.default.fileExists(atPath: root + "/f1")
                || FileManager.default.fileExists(atPath: root + "/f1/config.json"),
            "train left a run folder without config.json")

        try trainRuns(
            [["vae", "--run", "v"]],
            options: ["--epochs", "1", "--train-limit", "100", "--test-limit", "20", "--quiet"],
            runsRoot: root)
        let out = root + "/pictures"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let sampled = try Self.run(
            ["sample", "prior", "--run", "v", "--out", out + "/a.png", "--quiet"], under: "ulimit -f 4", root: root)
        expectOneLine(sampled, status: 1, "File too large", "sample")
        // Named once, after the option, as attack and defend name it (it read "cannot write 'P': P: cannot write").
        #expect(sampled.stderr.hasPrefix("manifold: --out: \(out)/a.png: cannot write: "), "\(sampled.stderr)")
        #expect(Self.debris(under: out).isEmpty, "sample left \(Self.debris(under: out))")
    }

    /// Bug: a very small limit on open files (`ulimit -n 6`) crashed `eval` with SIGILL (exit 132): libdispatch
    /// traps when its first parallel loop cannot make its event descriptor. A small soft limit is raised at
    /// start towards the hard one; one that cannot be raised far enough is refused in one line, exit 1.
    @Test func tooFewFileDescriptorsAreRaisedOrRefusedInOneLine() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("c", root: root)
        // `ulimit -n 6` lowers the hard limit too: it cannot be raised.
        let refused = try Self.run(["eval", "c"], under: "ulimit -n 6", root: root)
        expectOneLine(
            refused, status: 1, "manifold: too few file descriptors (ulimit -n 6); at least 32 are needed",
            "ulimit -n 6")
        // Only the soft limit lowered: raised again, the command works.
        let raised = try Self.run(["eval", "c"], under: "ulimit -Sn 6", root: root)
        #expect(raised.status == 0, "ulimit -Sn 6: status \(raised.status), \(raised.stderr)")
        #expect(raised.stdout.contains("accuracy"), "\(raised.stdout)")
    }
}
