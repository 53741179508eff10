import Base
import Foundation
import SafeTensors
import Testing

/// Regression tests for the command-line defects of the third CLI review, each driving the real binary.
@Suite(.serialized) struct CLIReviewThreeDefectTests {
    static let tiny = CLIReviewDefectTests.tiny

    /// Bug: Ctrl-C in `eval` and `bench` ended the process without a word (exit 130), while train,
    /// attack, sample, poison, compare and defend say in one line that they were interrupted.
    @Test func ctrlCInEvalAndBenchSaysItWasInterrupted() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "c", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        // A data folder whose files are named pipes nobody writes: eval waits on them until interrupted.
        let data = "\(root)/pipes"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for name in [
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        ] {
            try #require(mkfifo("\(data)/\(name)", 0o600) == 0)
        }
        let cases: [(arguments: [String], says: String)] = [
            (["eval", "c", "--data", data], "interrupted: eval writes no files; no report was printed"),
            (
                ["bench", "train", "--steps", "100000", "--rounds", "100"],
                "interrupted: the benchmark did not finish; no report was printed"
            ),
        ]
        for (arguments, says) in cases {
            let (status, stderr) = try CLIReviewDefectTests().interrupt(arguments, root: root, delay: 1)
            #expect(status == 130, "\(arguments[0]): status \(String(describing: status)): \(stderr)")
            let lines = stderr.split(separator: "\n").filter { $0.contains("interrupted") }
            #expect(lines.count == 1 && stderr.contains("manifold: " + says), "\(arguments[0]): \(stderr)")
        }
    }

    /// Bug: `poison --run NAME` where runs/NAME is a file trained every epoch, then failed; with
    /// `--fractions` a file in place of a later fraction's run folder failed after the earlier ones.
    /// Both are refused at once, naming the run folder, as `train` does.
    @Test func poisonRefusesARunPathThatIsAFileBeforeTraining() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for name in ["plain", "curve-f0.20"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: "\(root)/\(name)"))
        }
        let long = ["--epochs", "10000", "--train-limit", "2000", "--test-limit", "100", "--quiet"]
        for (arguments, path) in [
            (["poison", "labelflip", "--run", "plain"], "\(root)/plain"),
            (["poison", "labelflip", "--run", "curve", "--fractions", "0.1,0.2"], "\(root)/curve-f0.20"),
        ] {
            let result = try ManifoldBinary.run(arguments + long, runsRoot: root, timeout: 60)
            #expect(result.status == 1, "\(arguments): status \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("run folder '\(path)' is a file, not a folder"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        // A later fraction's run that exists already is refused before the first trains, too.
        try FileManager.default.createDirectory(atPath: "\(root)/taken-f0.20", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(root)/taken-f0.20/config.json"))
        do {
            let result = try ManifoldBinary.run(
                ["poison", "labelflip", "--run", "taken", "--fractions", "0.1,0.2"] + long, runsRoot: root, timeout: 60)
            #expect(result.status == 1, "status \(result.status): \(result.stderr)")
            #expect(result.stderr.contains("run '\(root)/taken-f0.20' exists already"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        for name in ["curve-f0.10", "taken-f0.10"] {
            #expect(!FileManager.default.fileExists(atPath: "\(root)/\(name)"), "\(name) was trained")
        }
    }

    /// Bug: with `MANIFOLD_RUNS` naming a file, `manifold runs` said "no runs in '...' yet" (exit 0),
    /// `poison` trained every epoch before failing, and `train` failed with the system's "A file with the
    /// same name already exists". Each now says the runs folder is a file, exit 1, before any work.
    @Test func aRunsFolderThatIsAFileIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let file = "\(root)/runs-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let long = ["--epochs", "10000", "--train-limit", "2000", "--test-limit", "100", "--quiet"]
        for (arguments, runsRoot) in [
            (["runs"], file), (["runs", "--json"], file), (["train", "mlp"] + long, file),
            (["poison", "labelflip"] + long, file), (["train", "mlp", "--run", "x"] + long, file + "/below"),
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: runsRoot, timeout: 60)
            #expect(result.status == 1, "\(arguments): status \(result.status): \(result.stderr)")
            #expect(
                result.stderr.contains("runs folder '\(runsRoot)'")
                    && result.stderr.contains("is a file, not a folder"),
                "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
    }

    /// Bug: a classifier trained on a data folder of fewer than ten classes before the class count came
    /// from the labels keeps ten outputs; `train --resume` built a model of the folder's classes and failed
    /// on the checkpoint's shape. It now builds the classes config.json records.
    @Test func resumeKeepsTheRecordedClassCount() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/five"
        try CLIReviewDefectTests().writeDataset(folder: data, classes: 5)
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "old", "--epochs", "1", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        // What such a run looks like: ten outputs and ten class names, its data a folder of five classes.
        let path = "\(root)/old/config.json"
        guard case .object(var config) = try JSONValue.parse(try FileIO.readAll(path: path)) else {
            Issue.record("config.json is not an object")
            return
        }
        config["data"] = .string(data)
        try Data(JSONValue.object(config).serialized().utf8).write(to: URL(fileURLWithPath: path))
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "old", "--epochs", "2", "--resume", "--quiet"], runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let eval = try ManifoldBinary.run(["eval", "old", "--json"], runsRoot: root)
        #expect(eval.status == 0, "\(eval.stderr)")
    }
}
