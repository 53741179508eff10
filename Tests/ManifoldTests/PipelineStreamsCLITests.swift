import Base
import Bench
import Foundation
import Testing

/// `manifold` in scripts and pipelines: standard error or standard output that cannot be written, or that
/// a reader stops reading (`| head -1`), ends a command the way README says, with no crash and no lock
/// file or empty run folder left behind.
@Suite(.serialized) struct PipelineStreamsCLITests {
    /// Runs `manifold ARGUMENTS` through `sh -c` with `redirections` (shell syntax, such as `2>/dev/full`)
    /// applied to it, under `root` as the runs folder.
    static func run(_ arguments: [String], redirections: String, root: String) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = root
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", "exec \"$0\" \"$@\" \(redirections)", ManifoldBinary.path] + arguments,
            environment: environment, timeout: 120)
        return CommandResult(
            status: run.status ?? -1, stdout: String(decoding: run.stdout, as: UTF8.self),
            stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// The names in the runs folder `root`, hidden ones (lock files) included.
    static func entries(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
    }

    /// Bug: with standard error on a full device (`2>/dev/full`) or closed (`2>&-`), every command that
    /// wrote to it crashed (a Foundation trap, exit 132 by SIGILL): a usage error exited 132 instead of 2,
    /// and a training died at its first epoch line, leaving its lock file behind and never printing its
    /// result on standard output. Lines that cannot reach standard error are lost now, and the command
    /// ends as it would have: the exit status, standard output and the runs folder are the same.
    @Test func standardErrorThatCannotBeWrittenChangesNothingElse() throws {
        for redirection in ["2>/dev/full", "2>&-"] {
            let root = temporaryFolder()
            defer { cleanup(root) }
            let usage = try Self.run(["eval", "missing"], redirections: redirection, root: root)
            #expect(usage.status == 2, "\(redirection): eval missing: status \(usage.status)")
            let trained = try Self.run(
                [
                    "train", "mlp", "--epochs", "2", "--train-limit", "100", "--test-limit", "50", "--run", "c",
                    "--json",
                ],
                redirections: redirection, root: root)
            #expect(trained.status == 0, "\(redirection): train: status \(trained.status)")
            let result = try? JSONValue.parse(trained.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(result?["epochs"]?.integerValue == 2, "\(redirection): train: \(trained.stdout)")
            #expect(Self.entries(root) == ["c"], "\(redirection): \(Self.entries(root))")
        }
    }
}
