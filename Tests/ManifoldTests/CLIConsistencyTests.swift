import Base
import Bench
import Foundation
import Testing

/// Regression tests for command-line inconsistencies between commands: the same kind of bad input gets
/// the same exit status and the same kind of message whichever command meets it.
@Suite(.serialized) struct CLIConsistencyTests {
    static let tiny = CLIReviewDefectTests.tiny

    /// Trains `arguments` (a `train` command line) for one epoch on tiny data into `root`.
    func train(_ arguments: [String], root: String) throws {
        let trained = try ManifoldBinary.run(arguments + ["--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(arguments): \(trained.stderr)")
    }

    /// Bug: a run named on the command line that does not exist exited 1 in `eval`, `attack --run`,
    /// `sample --run`, `train --resume`, `compare`, `bench attack` and `defend purify --classifier`, but 2
    /// in `defend purify --with`, `attack --defense`, `sample --classifier-guidance` and `bench guidance`
    /// (which README documents). It is a usage error (exit 2) everywhere now, as a `--data` folder that
    /// does not exist is.
    @Test func aMissingRunIsAUsageErrorInEveryCommand() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "mlp", "--run", "c"], root: root)
        let cases: [[String]] = [
            ["eval", "missing"],
            ["attack", "fgsm", "--run", "missing"],
            ["attack", "pgd", "--run", "c", "--target", "all", "--compare", "missing"],
            ["sample", "ddpm", "--run", "missing"],
            ["sample", "prior", "--run", "missing"],
            ["train", "mlp", "--run", "missing", "--resume", "--epochs", "2"],
            ["compare", "ae", "pca", "--ae-run", "missing"],
            ["defend", "purify", "--classifier", "missing", "--with", "c"],
            ["defend", "purify", "--classifier", "c", "--with", "missing"],
            ["bench", "attack", "--run", "missing"],
            ["bench", "purify", "--classifier", "missing", "--ddpm", "missing"],
            ["watch", "missing"],
        ]
        for arguments in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root, timeout: 120)
            expectOneLine(result, status: 2, "'\(root)/missing'", arguments.joined(separator: " "))
        }
    }

    /// Bug: `train ddpm --net unet` on 14x14 images (a size the U-Net cannot take) exited 1, while `train
    /// cnn` on the same data is a usage error (exit 2) naming the size. Both are usage errors now.
    @Test func imagesTheNetworkCannotTakeAreAUsageErrorForTheUNetAsForTheCNN() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = root + "/small"
        try writeIDXDataset(folder: folder, side: 14, count: 20)
        let cases: [([String], String)] = [
            (["train", "cnn"], "the cnn needs image sides divisible by 4, got 14x14"),
            (
                ["train", "ddpm", "--net", "unet"],
                "the ddpm U-Net needs square images with a side divisible by 4 and at least 8, got 14x14"
            ),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(
                arguments + ["--data", folder, "--run", "r", "--epochs", "1", "--quiet"], runsRoot: root, timeout: 120)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
            #expect(!FileManager.default.fileExists(atPath: root + "/r"), "\(arguments): a run folder was made")
        }
    }

    /// Bug: `attack --out /proc/x` failed with Foundation's "The operation could not be completed. The file
    /// doesn't exist." Now the line names the folder that refused the new one and the system's reason.
    @Test func anOutFolderThatCannotBeMadeSaysWhereAndWhy() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "mlp", "--run", "c"], root: root)
        let result = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "c", "--n", "4", "--quiet", "--out", "/proc/manifold-test/images"],
            runsRoot: root)
        // Refused before the attack since 2026-12-07 (a folder is made there and removed): a usage error.
        expectOneLine(
            result, status: 2,
            "option '--out': '/proc' does not take a new folder (No such file or directory)",
            "attack --out /proc/...")
        #expect(!result.stderr.contains("could not be completed"), "\(result.stderr)")
        // `sample --out` writes a file there, and says so (it read "does not take a new folder").
        try train(["train", "pca", "--latent", "3", "--run", "p"], root: root)
        let sampled = try ManifoldBinary.run(
            ["sample", "prior", "--run", "p", "--out", "/proc/version"], runsRoot: root)
        expectOneLine(
            sampled, status: 2, "option '--out': '/proc' does not take a new file (", "sample --out /proc/...")
    }

    /// Bug: `attack --out DIR` into a folder it may not write (read-only, another user's) ran the whole attack
    /// (minutes for AutoAttack) and only then failed with "--out: DIR/00000-clean.png: cannot create: Permission
    /// denied"; `sample --out DIR/x.png` likewise after sampling. Both are refused before any work now, naming
    /// the folder, as a file in the way is.
    @Test func anOutFolderThatCannotBeWrittenIsRefusedAtOnce() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "mlp", "--run", "c"], root: root)
        let locked = root + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        chmod(locked, 0o555)
        // Root writes into any folder: as root, the commands run as user nobody (setpriv, util-linux).
        let setpriv = "/usr/bin/setpriv"
        try #require(geteuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv), "needs \(setpriv)")
        let prefix = geteuid() == 0 ? ["--reuid=65534", "--regid=65534", "--clear-groups", ManifoldBinary.path] : []
        func run(_ arguments: [String]) throws -> CommandResult {
            try ManifoldBinary.run(
                prefix + arguments, runsRoot: root, executable: geteuid() == 0 ? setpriv : nil)
        }
        let reason = "'\(locked)' is not writable (Permission denied)"
        for out in [locked, locked + "/images"] {
            expectOneLine(
                try run(["attack", "fgsm", "--run", "c", "--n", "4", "--quiet", "--out", out]), status: 2,
                "option '--out': \(reason)", "attack --out \(out)")
        }
        expectOneLine(
            try run(["sample", "prior", "--run", "c", "--out", locked + "/x.png"]), status: 2,
            "option '--out': \(reason)", "sample --out")
    }

    /// Bug: `train` into a runs folder it may not write (`$MANIFOLD_RUNS` read-only, another user's) failed with
    /// "cannot create lock file 'ROOT/.NAME.lock': Permission denied", naming a file the user never made;
    /// the line now says that the runs folder is not writable.
    @Test func aRunsFolderThatCannotBeWrittenIsNamed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        chmod(root, 0o555)
        defer { chmod(root, 0o755) }
        // Root writes into any folder: as root, the command runs as user nobody (setpriv, util-linux).
        let setpriv = "/usr/bin/setpriv"
        try #require(geteuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv), "needs \(setpriv)")
        let prefix = geteuid() == 0 ? ["--reuid=65534", "--regid=65534", "--clear-groups", ManifoldBinary.path] : []
        let result = try ManifoldBinary.run(
            prefix + ["train", "mlp", "--run", "x", "--train-limit", "100", "--test-limit", "50"], runsRoot: root,
            executable: geteuid() == 0 ? setpriv : nil)
        expectOneLine(
            result, status: 1,
            "runs folder '\(root)' is not writable (Permission denied); no run can be saved there", "train")
    }

    /// Bug: `--adaptive bpda-eot` and `--adaptive full` were accepted for black-box attacks (square,
    /// onepixel, spatial), which only query the defended classifier, so the option changed nothing (the
    /// report even named the mode). Each is one usage line now; naive and bpda, which do differ, still run.
    @Test func gradientModesOfTheAdaptiveAttackAreRefusedForBlackBoxAttacks() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [["train", "mlp", "--run", "c"], ["train", "ddpm", "--run", "g"]] {
            try train(arguments, root: root)
        }
        let defended = ["--run", "c", "--n", "2", "--quiet", "--defense", "purify:g", "--t-star", "3"]
        for (method, mode) in [("square", "full"), ("onepixel", "bpda-eot"), ("spatial", "full")] {
            let result = try ManifoldBinary.run(
                ["attack", method] + defended + ["--adaptive", mode], runsRoot: root, timeout: 120)
            expectOneLine(
                result, status: 2, "'--adaptive \(mode)' applies to gradient attacks; \(method) only queries",
                "\(method) --adaptive \(mode)")
        }
        for mode in ["naive", "bpda"] {
            let result = try ManifoldBinary.run(
                ["attack", "square", "--queries", "5"] + defended + ["--adaptive", mode], runsRoot: root, timeout: 120)
            #expect(result.status == 0, "square --adaptive \(mode): \(result.stderr)")
        }
    }

    /// Bug: `bench purify --json` gave the classifier and the purifiers as typed (a path stayed a path),
    /// and the undefended classifier's rows said randomness "fresh" though no purifier draws anything; the
    /// text table showed "-" for its clean row but "fresh" for its attacked one. Runs are named by their run
    /// names now, and the undefended rows' randomness is null (text: "-").
    @Test func benchPurifyNamesRunsAndGivesNoRandomnessWithoutAPurifier() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [["train", "mlp", "--run", "c"], ["train", "ddpm", "--run", "g"]] {
            try train(arguments, root: root)
        }
        let bench = [
            "bench", "purify", "--classifier", root + "/c", "--ddpm", root + "/g/", "--n", "4", "--steps", "1",
            "--eot", "2", "--t-star", "3", "--reverse-steps", "2", "--quiet",
        ]
        let json = try ManifoldBinary.run(bench + ["--json"], runsRoot: root, timeout: 300)
        try #require(json.status == 0, "\(json.stderr)")
        let object = try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["classifier"]?.stringValue == "c", "\(json.stdout)")
        #expect(object["purifiers"]?.objectValue?.keys.sorted() == ["g"], "\(json.stdout)")
        let rows = try #require(object["rows"]?.arrayValue)
        #expect(Set(rows.compactMap { $0["purifier"]?.stringValue }) == ["none", "g"], "\(json.stdout)")
        for row in rows {
            let undefended = row["purifier"]?.stringValue == "none"
            #expect((row["randomness"] == .null) == undefended, "\(row)")
        }
        let text = try ManifoldBinary.run(bench, runsRoot: root, timeout: 300)
        try #require(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("c on 4 "), "\(text.stdout)")
        let undefendedRows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("none ") }
        #expect(undefendedRows.count == 2, "\(text.stdout)")
        #expect(undefendedRows.allSatisfy { !$0.contains("fresh") }, "\(text.stdout)")
    }

    /// Bug: `attack --json` gave `mean_l2_on_correct_successes` 0 when the attack fooled none of the images
    /// the model got right: a mean over no images, which is undefined, not a zero perturbation. It is null.
    @Test func attackJSONGivesNullForAMeanOverNoSuccesses() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "mlp", "--run", "c"], root: root)
        let result = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "c", "--n", "20", "--eps", "0.000001", "--json", "--quiet"], runsRoot: root)
        try #require(result.status == 0, "\(result.stderr)")
        let object = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let correct = try #require(object["clean_accuracy"]?.doubleValue)
        try #require(correct > 0, "the model got no image right: \(result.stdout)")
        #expect(object["success_rate_on_correct"]?.doubleValue == 0, "\(result.stdout)")
        #expect(object["mean_l2_on_correct_successes"] == .null, "\(result.stdout)")
    }

    /// Bug: `attack --out ""` and `defend purify --out ""` attacked or purified every image, then failed
    /// with exit 1 ("cannot create '': an empty path names no folder"), while `sample --out ""` is refused
    /// at once. An empty --out folder is one usage line now, read before any work.
    @Test func anEmptyOutFolderIsAUsageErrorBeforeAnyWork() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [["train", "mlp", "--run", "c"], ["train", "ddpm", "--run", "g"]] {
            try train(arguments, root: root)
        }
        let cases: [[String]] = [
            ["attack", "fgsm", "--run", "c", "--n", "4"],
            ["attack", "pgd", "--run", "c", "--n", "4", "--target", "all", "--steps", "2"],
            ["defend", "purify", "--classifier", "c", "--with", "g", "--n", "4", "--t-star", "3"],
        ]
        for arguments in cases {
            let result = try ManifoldBinary.run(arguments + ["--quiet", "--out", ""], runsRoot: root, timeout: 120)
            expectOneLine(
                result, status: 2, "option '--out' is empty: give a folder (DIR)", arguments.joined(separator: " "))
        }
    }

    /// Bug: a run of another kind than the option takes (a ddpm run as `attack --run`, a classifier as
    /// `sample --run`) exited 1 in `eval`, `attack`, `sample`, `compare`, `defend purify --classifier`
    /// and `train --resume`, but 2 in `defend purify --with`, `sample --classifier-guidance` and `bench
    /// guidance`, as README documents. It is a usage error everywhere now; a config.json whose model is
    /// no model at all is a damaged file and stays a runtime error (exit 1).
    @Test func aRunOfTheWrongKindIsAUsageErrorInEveryCommand() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [["train", "mlp", "--run", "c"], ["train", "ddpm", "--run", "g"]] {
            try train(arguments, root: root)
        }
        let cases: [([String], String)] = [
            (["eval", "g"], "run 'g' (model ddpm) is not a classifier (mlp or cnn)"),
            (["attack", "fgsm", "--run", "g"], "run 'g' (model ddpm) is not a classifier (mlp or cnn)"),
            (["defend", "purify", "--classifier", "g", "--with", "g"], "run 'g' (model ddpm) is not a classifier"),
            (["sample", "ddpm", "--run", "c"], "run 'c' (model mlp) is not a generative model (pca, ae, vae, "),
            (["compare", "ae", "pca", "--ae-run", "c"], "run 'c' (model mlp) is not a generative model"),
            (["compare", "ae", "pca", "--pca-run", "g"], "(model ddpm) is not a PCA (pca)"),
            (["sample", "prior", "--run", "g"], "(model ddpm) is not a model for 'prior' sampling (vae, aae or wae)"),
            (
                ["train", "mlp", "--run", "g", "--resume", "--epochs", "2"],
                "run 'g' (model ddpm) is not a run of 'train mlp' (mlp)"
            ),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root, timeout: 120)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
        // A model name that no command knows: the file is damaged, not the command line.
        let config = root + "/c/config.json"
        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "\"model\": \"mlp\"", with: "\"model\": \"banana\"")
            .write(toFile: config, atomically: true, encoding: .utf8)
        for arguments in [["eval", "c"], ["attack", "fgsm", "--run", "c"], ["sample", "ddpm", "--run", "c"]] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root, timeout: 120)
            expectOneLine(result, status: 1, "(model banana) is not", arguments.joined(separator: " "))
        }
    }

    /// Bug: `compare ae pca --ae-run A --latent 5` with A of code size 4, or two saved runs of different code
    /// sizes, exited 1 (a runtime failure) though the command line named runs that cannot be compared as
    /// asked, while a run of the wrong kind there is a usage error. Both exit 2 now, and the `--latent`
    /// line names the option and the run's own size.
    @Test func savedRunsThatCannotBeComparedAsNamedAreAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "ae", "--run", "ae4", "--latent", "4"], root: root)
        try train(["train", "pca", "--run", "pca5", "--latent", "5"], root: root)
        let cases: [([String], String)] = [
            (
                ["--ae-run", "ae4", "--latent", "5"],
                "option '--latent' 5 does not match run '\(root)/ae4', whose code size is 4 (drop '--latent' or give 4)"
            ),
            (["--ae-run", "ae4", "--pca-run", "pca5"], "(k = 4) and '\(root)/pca5' (k = 5) have different code sizes"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(
                ["compare", "ae", "pca"] + arguments + Self.tiny, runsRoot: root, timeout: 120)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
    }

    /// Bug: with standard output on a full device (`> /dev/full`), `bench attack --json`, `runs`, `help` and
    /// `version` printed nothing and exited 0, as if the report had been written. The output that could
    /// not be written is a runtime failure now (exit 1), with one line saying so.
    @Test func outputThatCannotBeWrittenIsAFailure() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "mlp", "--run", "c"], root: root)
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = root
        let cases: [[String]] = [
            ["version", "--json"], ["help", "attack"], ["runs"],
            ["bench", "attack", "--run", "c", "--n", "4", "--rounds", "1", "--no-torch", "--json"],
        ]
        for arguments in cases {
            let run = try ChildProcess.run(
                "/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", ManifoldBinary.path] + arguments,
                environment: environment, timeout: 120)
            let result = CommandResult(
                status: run.status ?? -1, stdout: "", stderr: String(decoding: run.stderr, as: UTF8.self))
            expectOneLine(
                result, status: 1, "cannot write the output to standard output: No space left on device",
                arguments.joined(separator: " "))
        }
    }

    /// Bug: `--json` named the files `--out` wrote only in `sample` (`out`, the path as given) and `bench
    /// guidance` (`grid`, the folder as given joined with the file name); `attack` and `defend purify` wrote
    /// into `--out DIR` without saying so. Each now gives `out` as the command line gave it (a relative path
    /// stays relative): the folder for `attack`, DIR/purified.png for `defend purify`, the file for `sample`.
    @Test func jsonNamesWhatOutWroteAsTheCommandLineGaveIt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train(["train", "mlp", "--run", "c"], root: root)
        try train(["train", "dae", "--sigmas", "0.5,0.2", "--run", "d"], root: root)
        let binary =
            ManifoldBinary.path.hasPrefix("/")
            ? ManifoldBinary.path : FileManager.default.currentDirectoryPath + "/" + ManifoldBinary.path
        let cases: [([String], String, String)] = [
            (["attack", "fgsm", "--run", "c", "--n", "4", "--out", "adv"], "adv", "adv/results.csv"),
            (
                ["attack", "pgd", "--run", "c", "--target", "all", "--n", "2", "--steps", "2", "--out", "sweep/"],
                "sweep/", "sweep/target-sweep.csv"
            ),
            (
                ["defend", "purify", "--with", "d", "--classifier", "c", "--n", "4", "--out", "pur/"],
                "pur/purified.png", "pur/purified.png"
            ),
            (["sample", "langevin", "--run", "d", "--n", "4", "--steps", "2", "--out", "s.png"], "s.png", "s.png"),
        ]
        for (arguments, out, written) in cases {
            let folder = temporaryFolder()
            defer { cleanup(folder) }
            // The command runs in `folder`, so that the relative `--out` is relative to it.
            let result = try ManifoldBinary.run(
                ["-c", "cd \"$0\" && exec \"$@\"", folder, binary] + arguments + ["--json", "--quiet"],
                runsRoot: root, executable: "/bin/sh")
            try #require(result.status == 0, "\(arguments): \(result.stderr)")
            let object = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(object["out"]?.stringValue == out, "\(arguments): \(result.stdout)")
            #expect(FileManager.default.fileExists(atPath: folder + "/" + written), "\(arguments)")
        }
    }
}
