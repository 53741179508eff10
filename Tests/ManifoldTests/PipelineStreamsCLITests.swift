import Base
import Bench
import Foundation
import SafeTensors
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

extension PipelineStreamsCLITests {
    /// Runs `manifold ARGUMENTS 2>&1 | head -1` in `sh` under `root` as the runs folder and `temporary` as
    /// `$TMPDIR`: stdout is head's one line, stderr ends with `status N`, manifold's exit status.
    static func firstLine(_ arguments: [String], root: String, temporary: String) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = root
        environment["TMPDIR"] = temporary
        let run = try ChildProcess.run(
            "/bin/sh",
            ["-c", "{ \"$0\" \"$@\" 2>&1; echo \"status $?\" >&3; } 3>&2 | head -1", ManifoldBinary.path]
                + arguments,
            environment: environment, timeout: 120)
        return CommandResult(
            status: run.status ?? -1, stdout: String(decoding: run.stdout, as: UTF8.self),
            stderr: String(decoding: run.stderr, as: UTF8.self))
    }

    /// Bug: a reader that stops reading (`manifold train ... 2>&1 | head -1`) ended `train` by SIGPIPE's
    /// default action, which left the run's lock file behind, and `bench models` the same way, which left
    /// its `manifold-bench-models-*` folder in `$TMPDIR` (and would leave its child processes running).
    /// SIGPIPE now ends them as SIGTERM does (the lock file, an empty new run's folder, the children and the
    /// temporary folders are removed) but quietly, with no line, and then by the signal (exit 141).
    @Test func aReaderThatStopsReadingEndsTheCommandQuietlyAndCleanly() throws {
        let root = temporaryFolder()
        let temporary = temporaryFolder()
        defer {
            cleanup(root)
            cleanup(temporary)
        }
        let cases: [[String]] = [
            ["train", "mlp", "--epochs", "50", "--train-limit", "2000", "--test-limit", "100", "--run", "c"],
            [
                "bench", "models", "--data", "synthetic", "--no-torch", "--workloads", "mlp", "--rounds", "5",
                "--scale", "0.05", "--train-limit", "500", "--test-limit", "100",
            ],
        ]
        for arguments in cases {
            let label = arguments.prefix(2).joined(separator: " ")
            let result = try Self.firstLine(arguments, root: root, temporary: temporary)
            #expect(result.stdout.split(separator: "\n").count == 1, "\(label): \(result.stdout)")
            #expect(result.stderr == "status 141\n", "\(label): \(result.stderr)")
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [])
            #expect(left.isEmpty, "\(label): left in TMPDIR: \(left)")
        }
        // The run keeps its saved epochs, and no lock file.
        #expect(Self.entries(root) == ["c"], "\(Self.entries(root))")
        #expect(FileManager.default.fileExists(atPath: root + "/c/config.json"))
    }
}

extension PipelineStreamsCLITests {
    /// What `manifold ARGUMENTS` wrote to a terminal (a pty made by util-linux `script`) with `TERM` set to
    /// `term`, under `root` as the runs folder.
    static func onTerminal(_ arguments: [String], term: String, root: String) throws -> String {
        let typescript = root + "/typescript"
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = root
        environment["TERM"] = term
        let command = ([ManifoldBinary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let run = try ChildProcess.run(
            "/usr/bin/script", ["-q", "-e", "-c", command, typescript], environment: environment, timeout: 120)
        #expect(run.status == 0, "\(arguments): \(String(decoding: run.stderr, as: UTF8.self))")
        return String(decoding: try FileIO.readAll(path: typescript), as: UTF8.self)
    }

    /// Bug: on a terminal with `TERM=dumb` (Emacs' shell and compilation buffers, CI logs that run a pty),
    /// `train` drew its progress bar with `ESC[2K` erase sequences that such a terminal prints as
    /// `^[[2K` garbage, though the workbench and a bare `manifold` treat `TERM=dumb` as no terminal. A dumb
    /// terminal gets the plain lines a pipe gets now (one per epoch); other terminals keep the bar.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func aDumbTerminalGetsPlainLinesWithoutEscapeSequences() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = ["train", "mlp", "--epochs", "2", "--train-limit", "300", "--test-limit", "100"]
        let dumb = try Self.onTerminal(train + ["--run", "d"], term: "dumb", root: root)
        #expect(!dumb.contains("\u{1B}"), "\(dumb.debugDescription)")
        #expect(!dumb.contains("ETA"), "\(dumb.debugDescription)")
        #expect(dumb.contains("epoch 1/2") && dumb.contains("epoch 2/2"), "\(dumb.debugDescription)")
        // The same on a terminal that can draw it: the bar, redrawn in place.
        let xterm = try Self.onTerminal(train + ["--run", "x"], term: "xterm", root: root)
        #expect(xterm.contains("\r\u{1B}[2K") && xterm.contains("ETA"), "\(xterm.debugDescription)")
    }
}
