import Base
import Foundation
import SafeTensors
import Testing

/// Defects of `poison` found by driving the binary: each test fails without its fix.
struct PoisonRunDefectTests {
    static let tiny = ["--train-limit", "128", "--test-limit", "32", "--batch", "64"]

    /// Bug: `poison --model cnn` on 10x10 images stopped on the classifier's precondition (exit 132) and
    /// left the run's lock behind; `train cnn` refused them in one line. Now `poison` does too.
    @Test func aCNNOnImagesItCannotTakeIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/small"
        try writeIDXDataset(folder: folder, side: 10, count: 40)
        for method in ["labelflip", "backdoor"] {
            let result = try ManifoldBinary.run(
                ["poison", method, "--data", folder, "--model", "cnn", "--run", "p"], runsRoot: root)
            expectOneLine(result, status: 2, "the cnn needs image sides divisible by 4, got 10x10", method)
        }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/p"))
    }

    /// Bug: `poison backdoor` on images under 5 pixels high or wide stamped none (or part) of its 4x4 trigger,
    /// placed one pixel from the corner, and reported a success rate measured on untriggered images (0.0000),
    /// exit 0, with config.json recording the trigger. Refused now in one line before any training.
    @Test func aBackdoorOnImagesTooSmallForItsTriggerIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (side, width) in [(1, 28), (4, 4), (28, 3)] {
            let folder = "\(root)/d\(side)x\(width)"
            try writeIDXDataset(folder: folder, side: side, width: width, count: 40)
            let result = try ManifoldBinary.run(
                ["poison", "backdoor", "--data", folder, "--run", "p"] + Self.tiny, runsRoot: root)
            expectOneLine(
                result, status: 2,
                "its 4x4 trigger, one pixel from the corner, needs images of at least 5x5 pixels; 'd\(side)x\(width)' has \(side)x\(width)",
                "\(side)x\(width)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/p"))
        let fits = "\(root)/d5x5"
        try writeIDXDataset(folder: fits, side: 5, count: 40)
        let trained = try ManifoldBinary.run(
            ["poison", "backdoor", "--data", fits, "--run", "p", "--epochs", "1", "--quiet"] + Self.tiny, runsRoot: root
        )
        #expect(trained.status == 0, "5x5: \(trained.stderr)")
    }

    /// Bug: `train --resume` of a poisoned run went on training on clean labels and dropped the run's
    /// `poison` record (and the backdoor's success rate): refused now, one line naming config.json.
    @Test func aPoisonedRunIsNotResumed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let poisoned = try ManifoldBinary.run(
            ["poison", "labelflip", "--fraction", "1", "--epochs", "1", "--run", "r", "--quiet"] + Self.tiny,
            runsRoot: root)
        try #require(poisoned.status == 0, "\(poisoned.stderr)")
        let before = try FileIO.readAll(path: "\(root)/r/config.json")
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "r", "--resume", "--epochs", "2"], runsRoot: root)
        expectOneLine(resumed, status: 1, "run was trained by 'poison labelflip'", "resume")
        #expect(resumed.stderr.contains("config.json"), "\(resumed.stderr)")
        #expect(try FileIO.readAll(path: "\(root)/r/config.json") == before)
    }

    /// Bug: `--fractions 0.1,0.101` trained and saved `NAME-f0.10`, then failed on the second fraction's
    /// run of the same name (exit 1); a `--run` that fits 128 characters but not with its `-f0.30` suffix
    /// saved runs that no command could name. Both are refused before any training.
    @Test func fractionRunNamesAreCheckedBeforeTraining() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let same = try ManifoldBinary.run(
            ["poison", "labelflip", "--fractions", "0.1,0.101", "--run", "f"] + Self.tiny, runsRoot: root)
        expectOneLine(same, status: 2, "0.1 and 0.101 both name their run '-f0.10'", "--fractions")
        let generated = try ManifoldBinary.run(
            ["poison", "labelflip", "--fractions", "0.2,0.201"] + Self.tiny, runsRoot: root)
        expectOneLine(generated, status: 2, "both name their run '-f0.20'", "generated names")
        let long = String(repeating: "k", count: 125)
        let tooLong = try ManifoldBinary.run(
            ["poison", "labelflip", "--fractions", "0,0.3", "--run", long] + Self.tiny, runsRoot: root)
        expectOneLine(tooLong, status: 2, "option '--run': with the suffix '-f0.00'", "long --run")
        let entries = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }
        #expect(entries.isEmpty, "\(entries)")
    }

    /// Bug: with stderr not a terminal `poison` printed no progress (README: one line per epoch, as
    /// `train` does); a fraction of 0.999 read "fraction 1.00", and `-0` was kept as -0.0 in config.json.
    @Test func progressAndFractionsReadAsGiven() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["poison", "labelflip", "--fraction", "0.999", "--epochs", "2", "--run", "a"] + Self.tiny, runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("labelflip fraction 0.999: clean test accuracy"), "\(result.stdout)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("labelflip 0.999 epoch 1/2  train_loss") == true, "\(result.stderr)")
        let zero = try ManifoldBinary.run(
            ["poison", "labelflip", "--fraction", "-0", "--epochs", "1", "--run", "z", "--quiet"] + Self.tiny,
            runsRoot: root)
        #expect(zero.status == 0, "\(zero.stderr)")
        let config = try JSONValue.parse(try FileIO.readAll(path: "\(root)/z/config.json"))
        #expect(config["poison"]?["fraction"]?.serialized() == "0.0", "\(String(describing: config["poison"]))")
    }
}
