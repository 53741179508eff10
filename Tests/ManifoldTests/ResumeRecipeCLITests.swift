import Base
import Foundation
import Testing

/// End-to-end tests of `train --resume` against what the run was trained with: the images (their seed,
/// counts and size) and the model options that need one another.
@Suite(.serialized) struct ResumeRecipeCLITests {
    private let tiny = ["--train-limit", "64", "--test-limit", "16", "--threads", "1", "--quiet"]

    private func run(_ arguments: [String], root: String) throws -> CommandResult {
        try ManifoldBinary.run(arguments, runsRoot: root)
    }

    /// Bug: `train mlp --run r --resume --seed 5` on a run of the synthetic digits drawn with seed 0 trained
    /// on with other digits (train and test), and metrics.csv mixed two test sets. It is refused now, as a
    /// `--data` naming other data is; on data that no seed draws (a folder) a seed only orders the batches.
    @Test func aSeedThatWouldDrawOtherDigitsIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try #require(try run(["train", "mlp", "--run", "r", "--epochs", "1"] + tiny, root: root).status == 0)
        expectOneLine(
            try run(["train", "mlp", "--run", "r", "--resume", "--epochs", "2", "--seed", "5", "--quiet"], root: root),
            status: 1, "run's synthetic digits were drawn with seed 0; --seed 5 would draw other images", "seed 5")
        #expect(
            try run(["train", "mlp", "--run", "r", "--resume", "--epochs", "2", "--seed", "0"], root: root).status == 0)
        let folder = "\(root)/digits"
        try writeIDXDataset(folder: folder, side: 4, count: 40)
        try #require(
            try run(["train", "mlp", "--run", "f", "--data", folder, "--epochs", "1"] + tiny, root: root).status == 0)
        let reseeded = try run(["train", "mlp", "--run", "f", "--resume", "--epochs", "2", "--seed", "5"], root: root)
        #expect(reseeded.status == 0, "\(reseeded.stderr)")
    }

    /// Bug: a config.json whose `train_count` was -1 (or 0) resumed on all the images and rewrote the count;
    /// and a data folder replaced by one of other image sizes resumed a U-Net (its weights fit any size),
    /// rewriting the run's recorded size. Both are refused in one line naming config.json.
    @Test func damagedCountsAndAnotherImageSizeAreRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try #require(try run(["train", "mlp", "--run", "r", "--epochs", "1"] + tiny, root: root).status == 0)
        let config = "\(root)/r/config.json"
        for bad in ["-1", "0", "\"64\""] {
            let text = try String(contentsOfFile: config, encoding: .utf8)
            let damaged = text.replacingOccurrences(
                of: #""train_count":\s*[^,}]+"#, with: "\"train_count\": \(bad)", options: .regularExpression)
            try #require(damaged != text)
            try damaged.write(toFile: config, atomically: true, encoding: .utf8)
            expectOneLine(
                try run(["train", "mlp", "--run", "r", "--resume", "--epochs", "2", "--quiet"], root: root), status: 1,
                "config.json: train_count must be a whole number of at least 1, got \(bad)", "train_count \(bad)")
        }
        let folder = "\(root)/images"
        try writeIDXDataset(folder: folder, side: 8, count: 40)
        try #require(
            try run(
                ["train", "ddpm", "--net", "unet", "--run", "u", "--data", folder, "--epochs", "1"] + tiny, root: root
            )
            .status == 0)
        try FileManager.default.removeItem(atPath: folder)
        try writeIDXDataset(folder: folder, side: 12, count: 40)
        expectOneLine(
            try run(["train", "ddpm", "--run", "u", "--resume", "--epochs", "2", "--quiet"], root: root), status: 1,
            "run was trained on 8x8 images, but '\(folder)' has 12x12 now", "12x12")
    }

    /// Bug: resuming a class-conditional U-Net with its own `--p-uncond` was refused ("needs '--conditional'",
    /// then "needs '--net unet'"): the options were checked against the defaults, not the run. They are
    /// checked against the run now; a value that differs is still refused. And `--clip` on an MMD WAE, which
    /// clips nothing, was taken without a word.
    @Test func optionsAreCheckedAgainstTheRunOnResume() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/images"
        try writeIDXDataset(folder: folder, side: 8, count: 40)
        try #require(
            try run(
                ["train", "ddpm", "--net", "unet", "--conditional", "--run", "c", "--data", folder, "--epochs", "1"]
                    + tiny, root: root
            ).status == 0)
        let same = try run(
            ["train", "ddpm", "--run", "c", "--resume", "--epochs", "2", "--p-uncond", "0.1"], root: root)
        #expect(same.status == 0, "\(same.stderr)")
        expectOneLine(
            try run(["train", "ddpm", "--run", "c", "--resume", "--epochs", "3", "--p-uncond", "0.2"], root: root),
            status: 1, "run has p_uncond 0.1, not --p-uncond 0.2", "p-uncond 0.2")
        expectOneLine(
            try run(["train", "wae", "--penalty", "mmd", "--clip", "0.5", "--run", "w"] + tiny, root: root), status: 2,
            "option '--clip' applies to '--penalty critic' only", "mmd clip")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/w"))
    }
}
