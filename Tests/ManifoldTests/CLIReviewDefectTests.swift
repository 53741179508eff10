import Base
import Bench
import Foundation
import SafeTensors
import Testing

/// Regression tests for the command-line defects of the second CLI review, each driving the real binary.
@Suite(.serialized) struct CLIReviewDefectTests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    func expectUsageError(
        _ result: CommandResult, _ message: String, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectOneLine(result, status: 2, message, label, sourceLocation: sourceLocation)
    }

    /// Bug: `sample ddim --eta` took up to 10, but above 1 DDIM's noise outgrows the step (sigma^2 > 1 -
    /// alphaBar_prev) and its direction term was silently clamped to 0: another sampler than asked for.
    @Test func ddimRefusesAnEtaAboveOne() throws {
        let result = try ManifoldBinary.run(
            ["sample", "ddim", "--run", "x", "--eta", "1.5"], runsRoot: temporaryFolder())
        expectUsageError(result, "option '--eta' must be in [0.0, 1.0], got 1.5", "eta")
    }

    /// Bug: a metrics.csv whose last row was cut mid-line kept the broken row when training continued
    /// with `--resume`; the new rows came after it. The broken row is dropped, with a note naming the file.
    @Test func resumeDropsACutShortMetricsRow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "cut", "--epochs", "2"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let path = "\(root)/cut/metrics.csv"
        let whole = try FileIO.readAll(path: path)
        try Data(whole.dropLast(12)).write(to: URL(fileURLWithPath: path))
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "cut", "--epochs", "3", "--resume", "--quiet"], runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(path): its last row was cut short"), "\(resumed.stderr)")
        let lines = String(decoding: try FileIO.readAll(path: path), as: UTF8.self).split(separator: "\n")
        let columns = lines.first?.split(separator: ",", omittingEmptySubsequences: false).count ?? 0
        #expect(lines.map { $0.split(separator: ",").first ?? "" } == ["epoch", "1", "3"], "\(lines)")
        for line in lines {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == columns, "\(line)")
        }
    }

    /// Bug: `--data ""` silently meant the synthetic digits.
    @Test func emptyDataIsAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = try ManifoldBinary.run(["train", "mlp", "--data", ""] + Self.tiny, runsRoot: root)
        expectUsageError(train, "option '--data' is empty", "train --data ''")
        let poison = try ManifoldBinary.run(["poison", "labelflip", "--data="] + Self.tiny, runsRoot: root)
        expectUsageError(poison, "option '--data' is empty", "poison --data=")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: root))?.isEmpty != false)
    }

    /// Starts `arguments` in the background, sends Ctrl-C once `started` says the work is under way (or
    /// after `delay` seconds), and returns the exit status and stderr.
    func interrupt(
        _ arguments: [String], root: String, delay: Double = 2, started: (String) -> Bool = { _ in true }
    ) throws -> (status: Int32?, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["MANIFOLD_RUNS"] = root
        let process = try ChildProcess(executable: ManifoldBinary.path, arguments: arguments, environment: environment)
        let start = Date()
        while Date().timeIntervalSince(start) < delay
            || !started(String(decoding: process.standardError, as: UTF8.self))
        {
            guard process.isRunning, Date().timeIntervalSince(start) < 120 else { break }
            usleep(20_000)
        }
        #expect(process.isRunning, "\(arguments[0]) ended before Ctrl-C")
        process.send(SIGINT)
        let status = process.wait(timeout: 60)
        return (status, String(decoding: process.standardError, as: UTF8.self))
    }

    /// Bug: Ctrl-C in attack, sample, poison, compare and defend ended the process without a word (exit
    /// 130). Each now says in one line that it was interrupted and that nothing was written.
    @Test func ctrlCSaysItWasInterruptedAndWhatWasWritten() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, name) in [("mlp", "c"), ("ae", "g"), ("dae", "d")] {
            let trained = try ManifoldBinary.run(
                ["train", model, "--run", name, "--epochs", "1"] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(name): \(trained.stderr)")
        }
        let out = "\(root)/out"
        let cases: [(arguments: [String], says: String)] = [
            (
                ["attack", "pgd", "--run", "c", "--n", "100", "--steps", "1000000", "--out", out],
                "interrupted: the attack did not finish; nothing was written"
            ),
            (
                ["sample", "langevin", "--run", "d", "--steps", "1000000", "--no-scores", "--out", out + ".png"],
                "interrupted: sampling did not finish; \(out).png was not written"
            ),
            (
                ["poison", "labelflip", "--run", "p", "--epochs", "10000", "--train-limit", "2000"],
                "interrupted: run \(root)/p was not saved"
            ),
            (
                ["compare", "ae", "pca", "--epochs", "10000", "--train-limit", "2000", "--test-limit", "100"],
                "interrupted: compare writes no files; nothing was saved"
            ),
            (
                [
                    "defend", "purify", "--with", "g", "--classifier", "c", "--n", "100", "--purify-steps", "100000",
                    "--out", out,
                ],
                "interrupted: purification did not finish; nothing was written"
            ),
        ]
        for (arguments, says) in cases {
            let (status, stderr) = try interrupt(arguments, root: root)
            #expect(status == 130, "\(arguments[0]): status \(String(describing: status)): \(stderr)")
            let lines = stderr.split(separator: "\n").filter { $0.contains("interrupted") }
            #expect(lines.count == 1 && stderr.contains("manifold: " + says), "\(arguments[0]): \(stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments[0]) wrote \(out)")
            #expect(!FileManager.default.fileExists(atPath: out + ".png"), "\(arguments[0]) wrote \(out).png")
            #expect(!FileManager.default.fileExists(atPath: "\(root)/p"), "\(arguments[0]) left \(root)/p")
        }
    }

    /// Bug: `compare` on runs trained with `--test-limit` scored all the test images, silently. Like
    /// `eval` and `attack`, it now uses the runs' test subset and says so; `--data` or `--test-limit`
    /// choose otherwise.
    @Test func compareUsesTheSavedRunsTestLimit() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, name) in [("ae", "a"), ("pca", "p")] {
            let trained = try ManifoldBinary.run(
                ["train", model, "--run", name, "--latent", "2", "--epochs", "1"] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(name): \(trained.stderr)")
        }
        let saved = ["compare", "ae", "pca", "--ae-run", "a", "--pca-run", "p", "--json"]
        let limited = try ManifoldBinary.run(saved, runsRoot: root)
        #expect(limited.status == 0, "\(limited.stderr)")
        let object = try JSONValue.parse(limited.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["test_count"]?.integerValue == 100, "\(limited.stdout)")
        #expect(
            object["test_images_note"]?.stringValue?.contains("trained with 100 test images") == true,
            "\(limited.stdout)")
        #expect(
            limited.stderr.contains("note: run 'a' was trained with 100 test images: using its first 100"),
            "\(limited.stderr)")
        let all = try ManifoldBinary.run(saved + ["--data", "synthetic"], runsRoot: root)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(
            try JSONValue.parse(all.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["test_count"]?
                .integerValue == 4000)
        #expect(!all.stderr.contains("trained with"), "\(all.stderr)")
        let fifty = try ManifoldBinary.run(saved + ["--test-limit", "50", "--quiet"], runsRoot: root)
        #expect(
            try JSONValue.parse(fifty.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["test_count"]?
                .integerValue == 50, "\(fifty.stderr)")
        #expect(fifty.stderr.isEmpty, "\(fifty.stderr)")
    }

    /// Bug: `defend purify --json` named the runs as typed ("c"), where every other command's JSON gives
    /// a run's path; its text named the classifier as typed ("in front of c") and not the generative run.
    @Test func defendGivesRunPaths() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, name) in [("mlp", "c"), ("ae", "g")] {
            let trained = try ManifoldBinary.run(
                ["train", model, "--run", name, "--epochs", "1"] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(name): \(trained.stderr)")
        }
        let result = try ManifoldBinary.run(
            ["defend", "purify", "--with", "g", "--classifier", "c", "--n", "10", "--json"], runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["classifier"]?.stringValue == "\(root)/c", "\(result.stdout)")
        #expect(object["with"]?.stringValue == "\(root)/g", "\(result.stdout)")
        let text = try ManifoldBinary.run(
            ["defend", "purify", "--with", "g", "--classifier", "c", "--n", "10"], runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        let first = text.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("(\(root)/g) in front of \(root)/c,"), "\(first)")
    }

    /// Writes the four IDX files of a tiny 28x28 dataset whose labels are `0..<classes`.
    func writeDataset(folder: String, classes: Int, count: Int = 200) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func header(_ dims: [Int]) -> [UInt8] {
            [0, 0, 0x08, UInt8(dims.count)] + dims.flatMap { d in [24, 16, 8, 0].map { UInt8((d >> $0) & 0xFF) } }
        }
        let images = header([count, 28, 28]) + (0..<(count * 784)).map { UInt8(($0 / 784 % classes) * 40 + $0 % 7) }
        let labels = header([count]) + (0..<count).map { UInt8($0 % classes) }
        for (name, bytes) in [
            ("train-images-idx3-ubyte", images), ("t10k-images-idx3-ubyte", images),
            ("train-labels-idx1-ubyte", labels), ("t10k-labels-idx1-ubyte", labels),
        ] {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
        }
    }

    /// Bug: a data folder whose labels have 5 classes was given 10 (classifiers with 10 outputs, targets
    /// 5 to 9 accepted). The class count comes from the labels (at least two, for labels that are all 0).
    @Test func idxFolderClassesComeFromItsLabels() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/five"
        try writeDataset(folder: data, classes: 5)
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "c5", "--data", data, "--epochs", "2", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let eval = try ManifoldBinary.run(["eval", "c5", "--json"], runsRoot: root)
        #expect(eval.status == 0, "\(eval.stderr)")
        let confusion = try JSONValue.parse(eval.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["confusion"]
        #expect(confusion?.arrayValue?.count == 5, "\(eval.stdout)")
        let target = try ManifoldBinary.run(
            ["attack", "pgd", "--run", "c5", "--n", "10", "--target", "7", "--quiet"], runsRoot: root)
        expectUsageError(target, "'--target' 7 is not a class of 'five' (0..4)", "--target 7")
        for method in ["pgd", "apgd-t", "autoattack", "deepfool", "square"] {
            let attack = try ManifoldBinary.run(
                ["attack", method, "--run", "c5", "--n", "10", "--sanity-n", "0", "--quiet"], runsRoot: root)
            #expect(attack.status == 0, "\(method): status \(attack.status): \(attack.stderr)")
        }
        let conditional = try ManifoldBinary.run(
            ["train", "vae", "--conditional", "--run", "v5", "--data", data, "--epochs", "1", "--quiet"],
            runsRoot: root)
        try #require(conditional.status == 0, "\(conditional.stderr)")
        let drawn = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v5", "--class", "4", "--n", "4", "--no-scores"], runsRoot: root)
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let beyond = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v5", "--class", "5", "--n", "4", "--no-scores"], runsRoot: root)
        #expect(beyond.status == 2 && beyond.stderr.split(separator: "\n").count == 1, "\(beyond.stderr)")
        let one = "\(root)/one"
        try writeDataset(folder: one, classes: 1)
        let single = try ManifoldBinary.run(
            ["train", "mlp", "--run", "c1", "--data", one, "--epochs", "1", "--quiet"], runsRoot: root)
        #expect(single.status == 0, "\(single.stderr)")
        let flipped = try ManifoldBinary.run(
            ["poison", "labelflip", "--run", "p1", "--data", one, "--epochs", "1", "--quiet"], runsRoot: root)
        #expect(flipped.status == 0, "\(flipped.stderr)")
        let eval1 = try ManifoldBinary.run(["eval", "c1", "--json"], runsRoot: root)
        let confusion1 = try JSONValue.parse(eval1.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["confusion"]
        #expect(confusion1?.arrayValue?.count == 2, "\(eval1.stdout) \(eval1.stderr)")
    }

    /// Bug: an `--eps` so small that its derived step size (eps/10) is 0 in single precision exited 1
    /// with the attack's own message ("bim: step size alpha must be positive, got 0.0").
    @Test func anEpsTooSmallForAStepIsAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "c", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        // 4e-38 is a normal single-precision number (1e-45, below the normal range, is refused as an option
        // value now); eps/10 and eps/4 are not.
        for method in ["bim", "pgd", "pgd-l2", "ill"] {
            let result = try ManifoldBinary.run(
                ["attack", method, "--run", "c", "--eps", "4e-38", "--n", "10", "--quiet"], runsRoot: root)
            expectUsageError(result, "option '--eps' 4e-38 is too small", method)
            #expect(result.stderr.contains("--alpha"), "\(method): \(result.stderr)")
        }
    }

    /// Bug: `train --adversarial trades --eps 1e-45` crashed (a precondition trap), and pgd / fgsm-rs
    /// exited 1 with the attack's internal message and left an empty run folder: the inner attack's step
    /// (2.5 eps / steps, or 1.25 eps) was 0 in single precision.
    @Test func adversarialTrainingRefusesAnEpsTooSmallForAStep() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // pgd and trades step 2.5 eps / --adv-steps, below the normal range for eps 1e-37 over 1000 steps;
        // fgsm-rs steps 1.25 eps, normal for every eps the option takes, so its 1e-45 is refused as the value.
        for (method, extra, message) in [
            ("pgd", ["--eps", "1e-37", "--adv-steps", "1000"], "option '--eps' 1e-37 is too small"),
            ("fgsm-rs", ["--eps", "1e-45"], "below single precision's smallest normal number"),
            ("trades", ["--eps", "1e-37", "--adv-steps", "1000"], "option '--eps' 1e-37 is too small"),
        ] {
            let result = try ManifoldBinary.run(
                ["train", "mlp", "--run", method, "--adversarial", method] + extra + Self.tiny, runsRoot: root)
            expectUsageError(result, message, method)
            #expect(!FileManager.default.fileExists(atPath: "\(root)/\(method)"), "\(method) left its run folder")
        }
    }

    /// Bug: `train --quiet` said nothing on Ctrl-C (exit 130), unlike `train` without it and the other
    /// commands, which print what was saved even under --quiet.
    @Test func quietTrainingStillSaysItWasInterrupted() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let (status, stderr) = try interrupt(
            [
                "train", "mlp", "--run", "q", "--epochs", "10000", "--train-limit", "2000", "--test-limit", "100",
                "--quiet",
            ],
            root: root)
        #expect(status == 130, "status \(String(describing: status)): \(stderr)")
        #expect(stderr.contains("manifold: interrupted"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    }

    /// Bug: `train --run NAME` where runs/NAME is a file trained a whole epoch, then failed naming a
    /// temporary file ("runs/NAME/.model.safetensors.tmp-...: cannot create: Not a directory").
    @Test func aRunPathThatIsAFileIsRefusedBeforeTraining() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(root)/plain"))
        let result = try ManifoldBinary.run(["train", "mlp", "--run", "plain"] + Self.tiny, runsRoot: root)
        #expect(result.status == 1, "status \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("run folder '\(root)/plain' is a file, not a folder"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    /// Bug: `sample --out DIR/x.png` with no folder DIR sampled to the end, then failed naming a temporary
    /// file ("DIR/.x.png.tmp-...: cannot create"); a folder as --out failed only after sampling too.
    @Test func sampleChecksItsOutBeforeSampling() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--latent", "2", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let missing = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--no-scores", "--out", "\(root)/nowhere/x.png"], runsRoot: root)
        expectUsageError(missing, "option '--out': no such folder '\(root)/nowhere'", "missing folder")
        let folder = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--no-scores", "--out", root], runsRoot: root)
        expectUsageError(folder, "option '--out': '\(root)' is a folder; give a file name (FILE.png)", "folder")
        // Bug: below a regular file it said "no such folder", though the path is there, as a file.
        let file = "\(root)/plain"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let below = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--no-scores", "--out", "\(file)/x.png"], runsRoot: root)
        expectUsageError(below, "option '--out': '\(file)' is a file, not a folder", "below a file")
    }

    /// Since a folder's class count follows its labels, a run and a `--data` override can disagree: a
    /// classifier of 5 classes measured on 10-class data would index past its outputs. Refused in one line;
    /// fewer classes than the classifier has are fine.
    @Test func dataWithMoreClassesThanTheClassifierIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/five"
        try writeDataset(folder: data, classes: 5)
        for (name, spec) in [("c5", data), ("c10", "synthetic")] {
            let trained = try ManifoldBinary.run(
                ["train", "mlp", "--run", name, "--data", spec, "--epochs", "1"] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(name): \(trained.stderr)")
        }
        for arguments in [
            ["eval", "c5", "--data", "synthetic"],
            ["attack", "fgsm", "--run", "c5", "--data", "synthetic", "--n", "10"],
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 2, "\(arguments): status \(result.status): \(result.stderr)")
            #expect(
                result.stderr.contains("option '--data': 'synthetic' has 10 classes, but run 'c5' classifies 5"),
                "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        let fewer = try ManifoldBinary.run(["eval", "c10", "--data", data, "--json"], runsRoot: root)
        #expect(fewer.status == 0, "\(fewer.stderr)")
        let confusion = try JSONValue.parse(fewer.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["confusion"]
        #expect(confusion?.arrayValue?.count == 10, "\(fewer.stdout)")
        let attack = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "c10", "--data", data, "--n", "10", "--quiet"], runsRoot: root)
        #expect(attack.status == 0, "\(attack.stderr)")
    }
}
