import Bench
import Foundation
import Testing

/// A command whose `--out` files cannot be written (a full disk, a file size limit) fails with one line and
/// leaves nothing it made behind: no empty `--out` folder, as Ctrl-C leaves none.
@Suite(.serialized) struct FailedWriteCleanupCLITests {
    /// Runs `manifold ARGUMENTS` under a file size limit of 0 (every write to a file fails with EFBIG; pipes
    /// are not limited), under `root` as the runs folder. Its stdout and stderr come back together, through
    /// a pipe, followed by the line `status N`.
    static func runWithoutFileSpace(_ arguments: [String], root: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = root
        let script = "{ (trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\") 2>&1; echo \"status $?\"; } | cat"
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", script, ManifoldBinary.path] + arguments, environment: environment, timeout: 120)
        return String(decoding: run.stdout, as: UTF8.self)
    }

    /// Bug: `attack --out DIR` and `defend purify --out DIR` that could not write their first file (a full
    /// disk) exited 1 with the right line but left DIR, and the folders above it they had made, behind
    /// empty. A failing command now removes the folders it made that are still empty, as an interrupted
    /// one does.
    @Test func anOutFolderThatGotNothingIsRemovedWhenTheCommandFails() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["mlp", "--run", "c"], ["ae", "--run", "a"]],
            options: ["--epochs", "1", "--train-limit", "100", "--test-limit", "20", "--quiet"], runsRoot: root)
        let cases: [[String]] = [
            ["attack", "fgsm", "--run", "c", "--n", "2"],
            ["defend", "purify", "--with", "a", "--classifier", "c", "--n", "2", "--purify-steps", "1"],
        ]
        for arguments in cases {
            let out = root + "/made/out"
            let output = try Self.runWithoutFileSpace(arguments + ["--out", out, "--quiet"], root: root)
            let label = arguments.prefix(2).joined(separator: " ")
            #expect(output.hasSuffix("status 1\n"), "\(label): \(output)")
            #expect(output.contains("--out"), "\(label): \(output)")
            #expect(!FileManager.default.fileExists(atPath: root + "/made"), "\(label): '\(root)/made' was left")
            cleanup(root + "/made")
        }
    }
}
