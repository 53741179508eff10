import Base
import Foundation
import Testing

/// End-to-end tests of `--data PATH` on IDX folders that are not MNIST's shape: images of other sizes,
/// few images, odd file names. Each test writes its own tiny folder.
@Suite(.serialized) struct IDXFolderCLITests {
    /// Bug: `sample` on a run of 28x20 images drew its grid as tiles of 23x24 pixels (the square root of
    /// 560), so every sample came out sheared and cut. The tiles are now 20 wide and 28 tall.
    @Test func sampleGridKeepsTheShapeOfNonSquareImages() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/tall"
        try writeIDXDataset(folder: data, side: 28, width: 20, count: 40)
        let trained = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--data", data, "--epochs", "1", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let out = "\(root)/grid.png"
        let drawn = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--n", "4", "--no-scores", "--out", out, "--quiet"], runsRoot: root)
        try #require(drawn.status == 0, "\(drawn.stderr)")
        // 2 x 2 tiles of 20x28 with a 1-pixel gap around each.
        let size = try pngSize(out)
        #expect(size.width == 2 * 21 + 1 && size.height == 2 * 29 + 1, "\(size)")
    }

    /// Bug: `compare ae pca` on a folder of 1x1 images trapped in PCA (30 components of 1 pixel: a
    /// Swift runtime failure, exit 132); on a folder of 3 training images it fitted 3 components while it
    /// printed `k = 5`. Both are refused now, as `train pca` refuses them, naming the largest k.
    @Test func compareRefusesMorePCAComponentsThanPixelsOrImages() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let dots = "\(root)/dots"
        try writeIDXDataset(folder: dots, side: 1, count: 20)
        let wide = try ManifoldBinary.run(["compare", "ae", "pca", "--data", dots, "--epochs", "1"], runsRoot: root)
        expectOneLine(
            wide, status: 2, "'--latent' 30 exceeds what 20 images of 1 pixels allow for PCA (at most 1)", "1x1")
        let one = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--data", dots, "--epochs", "1", "--latent", "1", "--json"], runsRoot: root)
        #expect(one.status == 0, "\(one.stderr)")
        let few = "\(root)/few"
        try writeIDXDataset(folder: few, side: 4, count: 3)
        let many = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--data", few, "--epochs", "1", "--latent", "5"], runsRoot: root)
        expectOneLine(
            many, status: 2, "'--latent' 5 exceeds what 3 images of 16 pixels allow for PCA (at most 3)", "3 images")
    }

    /// Bug: `compare ae pca --ae-run A --pca-run P --data F` with saved runs of 28x28 images and a folder
    /// of 10x10 ones (or the other way round) stopped on a precondition in the first matrix product (exit
    /// 132). The image size is checked as `eval` checks it: one line naming `--data`, exit 2.
    @Test func compareRefusesSavedRunsOfAnotherImageSize() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let small = "\(root)/small"
        try writeIDXDataset(folder: small, side: 10, count: 40)
        for (run, model) in [("a", ["ae", "--epochs", "1"]), ("p", ["pca"])] {
            let trained = try ManifoldBinary.run(
                ["train"] + model + [
                    "--run", run, "--latent", "3", "--train-limit", "64", "--test-limit", "16", "--quiet",
                ],
                runsRoot: root)
            try #require(trained.status == 0, "\(trained.stderr)")
        }
        let compared = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "a", "--pca-run", "p", "--data", small], runsRoot: root)
        expectOneLine(
            compared, status: 2, "option '--data': '\(small)' has 10x10 images, but run 'a' takes 28x28", "10x10")
        let same = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "a", "--pca-run", "p", "--json"], runsRoot: root)
        #expect(same.status == 0, "\(same.stderr)")
    }

    /// Bug: a run trained on a folder whose images were replaced by another size since was refused as
    /// "option '--data': ..." when no `--data` was given; the message names the run's own data.
    @Test func aChangedDataFolderIsNamedAsTheRunsData() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/data"
        try writeIDXDataset(folder: folder, side: 8, count: 40)
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--data", folder, "--run", "m", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        try FileManager.default.removeItem(atPath: folder)
        try writeIDXDataset(folder: folder, side: 12, count: 40)
        let evaluated = try ManifoldBinary.run(["eval", "m"], runsRoot: root)
        expectOneLine(
            evaluated, status: 2,
            "the run's data (config.json's 'data'): '\(folder)' has 12x12 images, but run 'm' takes 8x8; the data or config.json changed since",
            "changed folder")
        let given = try ManifoldBinary.run(["eval", "m", "--data", folder], runsRoot: root)
        expectOneLine(given, status: 2, "option '--data': '\(folder)' has 12x12 images", "--data given")
    }

    /// `eval` reads the test split alone, as `attack` does: it decoded every training image too (the synthetic
    /// digits' 20,000, Fashion-MNIST's 60,000: 371 MB and 0.58 s for a 0.13 s evaluation), and a data folder
    /// whose training images had been moved away could not be evaluated at all.
    @Test func evalNeedsNoTrainingImages() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/data"
        try writeIDXDataset(folder: folder, side: 8, count: 40)
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--data", folder, "--run", "m", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let before = try ManifoldBinary.run(["eval", "m", "--json"], runsRoot: root)
        try #require(before.status == 0, "\(before.stderr)")
        try FileManager.default.removeItem(atPath: folder + "/train-images-idx3-ubyte")
        let after = try ManifoldBinary.run(["eval", "m", "--json"], runsRoot: root)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == before.stdout)
    }

    /// Bug: `manifold runs` cut the DATASET column at 11 characters with no gap after it, so a run of the
    /// folder `data-s28x20` read `data-s28x20…1` (the name ran into the epochs) and a longer folder name
    /// (`emnist-letters`) lost its end. The column is now as wide as its longest name.
    @Test func runsListsLongDataFolderNamesWhole() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (folder, run) in [("data-s28x20", "a"), ("emnist-letters", "b")] {
            try writeIDXDataset(folder: "\(root)/data/\(folder)", side: 4, count: 20)
            let trained = try ManifoldBinary.run(
                ["train", "mlp", "--run", run, "--data", "\(root)/data/\(folder)", "--epochs", "1", "--quiet"],
                runsRoot: "\(root)/runs")
            try #require(trained.status == 0, "\(trained.stderr)")
        }
        let listed = try ManifoldBinary.run(["runs"], runsRoot: "\(root)/runs")
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = listed.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
        // RUN MODEL DATASET EPOCHS ACCURACY CREATED, each a separate word.
        #expect(rows.map { $0.count } == [6, 6], "\(listed.stdout)")
        #expect(rows.map { $0.count > 3 ? [$0[2], $0[3]] : [] } == [["data-s28x20", "1"], ["emnist-letters", "1"]])
    }

    /// Bug: `train mlp --data .` in the data folder saved `"data": "."` in config.json and named the dataset
    /// `.`, so `eval RUN` run in any other directory read that directory instead: refused (missing IDX
    /// files) or, in another data folder, measured on other images. A relative folder is saved absolute.
    @Test func aRelativeDataFolderIsSavedAbsolute() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/digits"
        try writeIDXDataset(folder: data, side: 4, count: 20)
        // The command runs in the data folder, so that `.` is relative to it.
        let trained = try ManifoldBinary.run(
            ["-c", "cd \"$0\" && exec \"$@\"", data, ManifoldBinary.path]
                + ["train", "mlp", "--run", "r", "--data", ".", "--epochs", "1", "--quiet"],
            runsRoot: "\(root)/runs", executable: "/bin/sh")
        try #require(trained.status == 0, "\(trained.stderr)")
        let config = try JSONValue.parse(String(contentsOfFile: "\(root)/runs/r/config.json", encoding: .utf8))
        let saved = try #require(config["data"]?.stringValue)
        #expect(saved.hasPrefix("/") && saved.hasSuffix("/digits") && !saved.contains("/."), "\(saved)")
        #expect(config["dataset"]?.stringValue == "digits")
        let evaluated = try ManifoldBinary.run(["eval", "r", "--json"], runsRoot: "\(root)/runs")
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
    }

    /// Bug: `sample --classifier C` and `--classifier-guidance C` took a classifier of 20x28 images for a run
    /// of 28x20 ones (both 560 pixels): it read every sample transposed, so the scores (or the guidance)
    /// came from garbled images. Such a classifier is refused in one line now.
    @Test func sampleRefusesAClassifierOfTransposedImages() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeIDXDataset(folder: "\(root)/tall", side: 28, width: 20, count: 40)
        try writeIDXDataset(folder: "\(root)/wide", side: 20, width: 28, count: 40)
        try trainRuns(
            [
                ["vae", "--run", "v", "--data", "\(root)/tall"],
                ["ddpm", "--net", "mlp", "--run", "d", "--data", "\(root)/tall"],
                ["mlp", "--run", "c", "--data", "\(root)/wide"],
            ], options: ["--epochs", "1", "--quiet"], runsRoot: root)
        let scored = try ManifoldBinary.run(
            ["sample", "prior", "--run", "v", "--classifier", "c", "--n", "4", "--out", "\(root)/s.png"],
            runsRoot: root)
        expectOneLine(
            scored, status: 2,
            "option '--classifier': the classifier reads 20x28 images, the vae run's images are 28x20",
            "--classifier")
        let guided = try ManifoldBinary.run(
            [
                "sample", "ddim", "--run", "d", "--class", "1", "--classifier-guidance", "c", "--steps", "2", "--n",
                "2",
                "--no-scores", "--out", "\(root)/g.png",
            ], runsRoot: root)
        expectOneLine(
            guided, status: 2,
            "option '--classifier-guidance': the classifier reads 20x28 images, the ddpm run's images are 28x20",
            "--classifier-guidance")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/s.png"))
    }

    /// Bug: `defend purify --with P --classifier C`, `attack --defense purify:P` and `bench purify` compared only pixel
    /// counts, so a purifier of 28x20 images was put in front of a classifier of 20x28 ones: it denoised
    /// every image as if transposed. Refused in one line now.
    @Test func aPurifierOfTransposedImagesIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeIDXDataset(folder: "\(root)/tall", side: 28, width: 20, count: 40)
        try writeIDXDataset(folder: "\(root)/wide", side: 20, width: 28, count: 40)
        try trainRuns(
            [
                ["dae", "--run", "p", "--data", "\(root)/tall"], ["mlp", "--run", "c", "--data", "\(root)/wide"],
            ], options: ["--epochs", "1", "--quiet"], runsRoot: root)
        let defended = try ManifoldBinary.run(
            ["defend", "purify", "--with", "p", "--classifier", "c", "--n", "4", "--quiet"], runsRoot: root)
        expectOneLine(
            defended, status: 2, "option '--with': the purifier takes 28x20 images but the classifier takes 20x28",
            "defend")
        let attacked = try ManifoldBinary.run(
            ["attack", "pgd", "--run", "c", "--defense", "purify:p", "--n", "2", "--quiet"], runsRoot: root)
        expectOneLine(
            attacked, status: 2, "option '--defense': the purifier takes 28x20 images but the classifier takes 20x28",
            "attack")
        let benched = try ManifoldBinary.run(
            ["bench", "purify", "--classifier", "c", "--dae", "p", "--n", "2", "--quiet"], runsRoot: root)
        expectOneLine(
            benched, status: 2, "option '--dae': the purifier takes 28x20 images but the classifier takes 20x28",
            "bench purify")
    }
}
