import Base
import Foundation
import Testing

/// Regression tests for command-line defects in how arguments and the environment are read: `version
/// --json`, extra words, a runs folder that is a file, limits a run's `--test-limit` sets, options before
/// a command's words, and odd values (a file for `--data`, a number listed twice, an empty `--out`).
@Suite(.serialized) struct CLIArgumentDefectTests {
    static let tiny = CLIReviewDefectTests.tiny

    /// Bug: `manifold version --json` printed the plain line `manifold 0.1.0`.
    @Test func versionJSONIsOneObject() throws {
        for arguments in [["version", "--json"], ["--version", "--json"]] {
            let result = try ManifoldBinary.run(arguments)
            #expect(result.status == 0 && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
            let object = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(object["name"]?.stringValue == "manifold", "\(result.stdout)")
            #expect(object["version"]?.stringValue?.first?.isNumber == true, "\(result.stdout)")
        }
        let plain = try ManifoldBinary.run(["version"])
        #expect(plain.status == 0 && plain.stdout.hasPrefix("manifold "))
    }
}

extension CLIArgumentDefectTests {
    /// Bug: `manifold version extra` and `manifold help eval RUN extra` ignored the extra word (exit 0);
    /// every other command refuses words it does not take. `help COMMAND` takes the command's own words.
    @Test func versionAndHelpRefuseExtraWords() throws {
        let cases: [([String], String)] = [
            (["version", "extra"], "'version' got an unexpected argument 'extra'"),
            (["--version", "extra"], "'version' got an unexpected argument 'extra'"),
            (["help", "eval", "run", "extra"], "'help eval run' got an unexpected argument 'extra'"),
            (["help", "train", "mlp", "extra"], "'help train mlp' got an unexpected argument 'extra'"),
            (["help", "compare", "ae", "pca", "extra"], "'help compare ae pca' got an unexpected argument 'extra'"),
            (["help", "bench", "gemm", "extra"], "'help bench gemm' got an unexpected argument 'extra'"),
            (["help", "help", "extra"], "'help help' got an unexpected argument 'extra'"),
            (["--help", "runs", "extra"], "'help runs' got an unexpected argument 'extra'"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments)
            #expect(result.status == 2, "\(arguments): status \(result.status), \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty, "\(arguments)")
        }
        // What stays valid: a command's help, a benchmark's help, the overview.
        let valid = [
            ["help", "eval"], ["help", "eval", "run"], ["help", "bench", "gemm"], ["help", "train", "mlp"],
            ["help", "attack", "pgd"], ["help", "compare", "ae", "pca"], ["help"], ["help", "help"], ["version"],
        ]
        for arguments in valid {
            let result = try ManifoldBinary.run(arguments)
            #expect(result.status == 0 && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: with `MANIFOLD_RUNS` naming a regular file, `eval NAME` (and attack, sample, defend, compare,
    /// watch, train --resume, bench) said "no run folder 'FILE/NAME'": neither the variable nor that the
    /// file is the trouble.
    @Test func runsFolderThatIsAFileIsNamedWithTheVariable() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let file = "\(root)/runs-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let message = "runs folder '\(file)' ($MANIFOLD_RUNS) is a file, not a folder"
        let commands: [[String]] = [
            ["eval", "c"], ["attack", "fgsm", "--run", "c"], ["sample", "prior", "--run", "c"],
            ["defend", "purify", "--with", "g", "--classifier", "c"], ["compare", "ae", "pca", "--ae-run", "a"],
            ["watch", "c"], ["train", "mlp", "--resume", "--run", "c"], ["train", "mlp", "--run", "c"],
            ["bench", "attack", "--run", "c"],
            ["bench", "guidance", "--run", "d", "--classifier", "c"], ["runs"],
        ]
        for arguments in commands {
            let result = try ManifoldBinary.run(arguments, runsRoot: file, timeout: 60)
            #expect(result.status == 1, "\(arguments): status \(result.status), \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `MANIFOLD_RUNS=/proc/x manifold train mlp` said "cannot create runs folder '/proc/x': The
    /// operation could not be completed. The file doesn't exist." (Foundation's text, not the reason).
    @Test func runsFolderThatCannotBeCreatedSaysWhy() throws {
        let root = "/proc/manifold-runs-\(getpid())"
        for arguments in [["train", "mlp", "--run", "c"], ["train", "ae", "--run", "g", "--epochs", "1"]] {
            let result = try ManifoldBinary.run(arguments + Self.tiny, runsRoot: root, timeout: 60)
            #expect(result.status == 1, "\(arguments): status \(result.status), \(result.stderr)")
            #expect(
                result.stderr == "manifold: cannot create runs folder '\(root)': No such file or directory\n",
                "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `bench attack --n N` past a run trained with `--test-limit` said only "must be between 1
    /// and 100", not that the run's `--test-limit` sets that bound (`attack` says so); so did defend and
    /// the other benchmarks of a classifier run.
    @Test func countPastTheRunsTestLimitNamesIt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, name) in [("mlp", "c"), ("ae", "g")] {
            let trained = try ManifoldBinary.run(
                ["train", model, "--run", name, "--epochs", "1"] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(name): \(trained.stderr)")
        }
        let commands: [[String]] = [
            ["bench", "attack", "--run", "c", "--no-torch"], ["bench", "autoattack", "--run", "c", "--no-torch"],
            ["bench", "threats", "--runs", "c"], ["bench", "purify", "--classifier", "c", "--vae", "g"],
            ["defend", "purify", "--with", "g", "--classifier", "c"],
        ]
        for arguments in commands {
            let result = try ManifoldBinary.run(arguments + ["--n", "500"], runsRoot: root, timeout: 60)
            #expect(result.status == 2, "\(arguments): status \(result.status), \(result.stderr)")
            #expect(
                result.stderr.contains("'--n' asks for 500 images but run 'c' was trained with 100 test images"),
                "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `train --epochs 1 mlp` said "unknown model 'mlp' (known: mlp, ...)": train took its first word
    /// as the model, while every other command lets options come before its positional words.
    @Test func trainTakesOptionsBeforeTheModel() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "--epochs", "1", "--run", "c"] + Self.tiny + ["mlp"], runsRoot: root)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(root)/c/model.safetensors"))
        let unknown = try ManifoldBinary.run(["train", "--epochs", "1", "resnet"], runsRoot: root)
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown model 'resnet'"), "\(unknown.stderr)")
    }

    /// Bug: `--data FILE` (a regular file, not a folder) said "no such folder 'FILE'" though the file
    /// is there, and a file named without a slash was an "unknown dataset".
    @Test func dataNamingAFileSaysItIsAFile() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let file = "\(root)/images.idx"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let result = try ManifoldBinary.run(["train", "mlp", "--data", file], runsRoot: root)
        expectOneLine(result, status: 2, "option '--data': '\(file)' is a file, not a folder", "--data FILE")
    }

    /// Bug: `bench --json tui` said "unknown benchmark '--json'": the option was taken for a benchmark's
    /// name. It says the benchmark comes first.
    @Test func benchWithAnOptionFirstSaysTheBenchmarkComesFirst() throws {
        let result = try ManifoldBinary.run(["bench", "--json", "tui"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr.contains("'bench' takes what to measure first, then '--json': manifold bench WHAT [OPTIONS]"),
            "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// Bug: `poison labelflip --fractions 0.1,0.1` trained and saved two runs of the same fraction (and
    /// `bench guidance --weights 1,1` measured one weight twice). A number listed twice is a usage error.
    @Test func aNumberListedTwiceIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["poison", "labelflip", "--fractions", "0.1,0.2,0.10", "--epochs", "1"] + Self.tiny, runsRoot: root)
        expectOneLine(result, status: 2, "option '--fractions' lists 0.1 twice", "poison --fractions")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "no run is saved")
    }

    /// Bug: `sample prior --out ''` sampled, then failed with "cannot write '': : cannot rename into
    /// place" (exit 1). An empty `--out` is a usage error before any work, as in attack and defend.
    @Test func sampleRefusesAnEmptyOut() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let result = try ManifoldBinary.run(["sample", "prior", "--run", "v", "--n", "3", "--out", ""], runsRoot: root)
        expectOneLine(result, status: 2, "option '--out' is empty: give a file name (FILE.png)", "sample --out ''")
    }

    /// Bug: `demo --theme nope` warned "theme 'nope' not found ..." without the `manifold: ` that starts
    /// every other line the program writes to stderr (`tui --theme nope` has it).
    @Test func demoThemeWarningIsPrefixedLikeEveryMessage() throws {
        for command in ["demo", "tui"] {
            let result = try ManifoldBinary.run([command, "--theme", "nope"])
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.first?.contains("theme 'nope' not found") == true, "\(command): \(result.stderr)")
            #expect(lines.allSatisfy { $0.hasPrefix("manifold: ") }, "\(command): \(result.stderr)")
        }
    }
}
