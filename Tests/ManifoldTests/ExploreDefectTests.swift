import Foundation
import Testing

/// Regression tests for defects found by exploring the newest commands (purification, guidance, class
/// picking) with mismatched runs and data, each driving the real binary on tiny data.
@Suite(.serialized) struct ExploreDefectTests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--epochs", "1", "--quiet"]

    /// Bug: `sample --classifier RUN` built the scorer at the sampled run's image size, so a cnn scorer of
    /// 28x28 images on a run of 12x12 images stopped the program on a precondition (exit 132) after the
    /// samples were drawn, and an mlp one failed on the checkpoint's shapes (exit 1). Both are now one
    /// usage line, before anything is drawn, as for `--classifier-guidance`.
    @Test func sampleScorerOfAnotherImageSizeIsAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/small"
        try writeIDXDataset(folder: folder, side: 12, count: 40)
        let ddpm = try ManifoldBinary.run(
            ["train", "ddpm", "--net", "mlp", "--data", folder, "--run", "d"] + Self.tiny, runsRoot: root)
        try #require(ddpm.status == 0, "\(ddpm.stderr)")
        for kind in ["cnn", "mlp"] {
            let trained = try ManifoldBinary.run(["train", kind, "--run", kind] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(trained.stderr)")
            let out = "\(root)/samples-\(kind).png"
            let sampled = try ManifoldBinary.run(
                ["sample", "ddim", "--run", "d", "--steps", "2", "--n", "2", "--classifier", kind, "--out", out],
                runsRoot: root)
            expectOneLine(
                sampled, status: 2, "option '--classifier': the classifier reads 28x28 images (784 pixels)", kind)
            #expect(!FileManager.default.fileExists(atPath: out), "\(kind): samples were drawn")
        }
        let notClassifier = try ManifoldBinary.run(
            ["sample", "ddim", "--run", "d", "--steps", "2", "--n", "2", "--classifier", "d"], runsRoot: root)
        expectOneLine(notClassifier, status: 2, "(model ddpm) is not a classifier (mlp or cnn)", "a ddpm run as scorer")
    }

    /// Bug: `train cnn` on images whose sides are not divisible by 4 stopped the program on a precondition
    /// (exit 132), as did loading a cnn run whose config.json records such a size.
    @Test func cnnOnImagesItCannotTakeIsOneLine() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/odd"
        try writeIDXDataset(folder: folder, side: 10, count: 40)
        for net in ["standard", "madry", "wong"] {
            let trained = try ManifoldBinary.run(
                ["train", "cnn", "--net", net, "--data", folder, "--run", "c-\(net)"] + Self.tiny, runsRoot: root)
            expectOneLine(trained, status: 2, "the cnn needs image sides divisible by 4, got 10x10", net)
            #expect(!FileManager.default.fileExists(atPath: "\(root)/c-\(net)/model.safetensors"))
        }
        // A cnn run whose config.json was edited to another image size.
        let trained = try ManifoldBinary.run(["train", "cnn", "--run", "c"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let configPath = "\(root)/c/config.json"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
            .replacingOccurrences(of: "\"image_height\" : 28", with: "\"image_height\" : 10")
            .replacingOccurrences(of: "\"image_height\": 28", with: "\"image_height\": 10")
        try #require(config.contains("\"image_height\": 10") || config.contains("\"image_height\" : 10"))
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        for arguments in [
            ["attack", "fgsm", "--run", "c", "--n", "2"], ["eval", "c"],
            ["defend", "purify", "--with", "missing", "--classifier", "c"],
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(
                result, status: 1, "the cnn needs image sides divisible by 4", arguments.joined(separator: " "))
        }
    }

    /// Bug: `eval RUN --data FOLDER` of images of another size built the classifier at the data's size: a
    /// cnn stopped the program on a precondition (exit 132), an mlp failed on the checkpoint's shapes.
    /// Now, as for a folder of more classes, one line naming `--data` (exit 2); `attack --data` the same.
    @Test func dataOfAnotherImageSizeIsRefusedByEvalAndAttack() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/small"
        try writeIDXDataset(folder: folder, side: 12, count: 40)
        for kind in ["cnn", "mlp"] {
            let trained = try ManifoldBinary.run(["train", kind, "--run", kind] + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(trained.stderr)")
            for arguments in [["eval", kind, "--data", folder], ["attack", "pgd", "--run", kind, "--data", folder]] {
                let result = try ManifoldBinary.run(arguments, runsRoot: root)
                expectOneLine(
                    result, status: 2, "option '--data': '\(folder)' has 12x12 images, but run '\(kind)' takes 28x28",
                    arguments.joined(separator: " "))
            }
        }
    }

    /// Bug: `defend purify` listed `--randomness fresh|fixed` in its help and accepted it, but purifies each
    /// image once with noise drawn from `--seed`, so the option silently did nothing. It is refused now.
    @Test func defendPurifyRefusesRandomness() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["defend", "purify", "--with", "g", "--classifier", "c", "--randomness", "fixed"], runsRoot: root)
        expectOneLine(result, status: 2, "unknown option '--randomness'", "defend purify --randomness")
        let help = try ManifoldBinary.run(["help", "defend"], runsRoot: root)
        #expect(help.status == 0 && help.stdout.contains("--t-star") && !help.stdout.contains("--randomness"))
    }

    /// Bug: resuming a class-conditional run on `--data` of another class count failed with exit 1 and a
    /// line that named neither the option nor the run; a classifier's resume says it in one usage line
    /// (exit 2), and so does this one now. (A resume refuses other data than the run's; a folder given in
    /// place of the run's data folder that is gone, moved, is taken, and its classes are checked.)
    @Test func resumingAConditionalRunOnDataOfOtherClassesIsAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // Twenty images labelled 0 to 9: ten classes, in a folder that is then moved away.
        let ten = "\(root)/ten"
        try writeIDXDataset(folder: ten, side: 28, count: 20)
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--conditional", "--run", "cvae", "--data", ten, "--epochs", "1", "--quiet"],
            runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        try FileManager.default.removeItem(atPath: ten)
        // Five images labelled 0 to 4: five classes.
        let folder = "\(root)/five"
        try writeIDXDataset(folder: folder, side: 28, count: 5)
        let resumed = try ManifoldBinary.run(
            [
                "train", "vae", "--conditional", "--resume", "--run", "cvae", "--epochs", "2", "--data", folder,
                "--quiet",
            ],
            runsRoot: root)
        expectOneLine(
            resumed, status: 2, "option '--data': '\(folder)' has 5 classes, but run 'cvae' is conditioned on 10",
            "resume")
    }

    /// Bug: `bench guidance --out` through a file failed with Foundation's "The operation could not be
    /// completed. (NSCocoaErrorDomain error 512.)"; the other commands' `--out` say what is in the way.
    @Test func benchGuidanceOutThroughAFileSaysWhy() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for arguments in [["train", "ddpm", "--net", "mlp", "--run", "d"], ["train", "mlp", "--run", "clf"]] {
            let trained = try ManifoldBinary.run(arguments + Self.tiny, runsRoot: root)
            try #require(trained.status == 0, "\(trained.stderr)")
        }
        let file = "\(root)/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let result = try ManifoldBinary.run(
            [
                "bench", "guidance", "--classifier", "clf", "--ddpm", "d", "--guide", "clf", "--scales", "0", "--n",
                "1",
                "--steps", "1", "--quiet", "--out", "\(file)/grids",
            ], runsRoot: root)
        expectOneLine(
            result, status: 2, "option '--out': '\(file)' is a file, not a folder",
            "bench guidance")
    }
}
