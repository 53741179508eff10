import Base
import Foundation
import Testing

/// Regression tests for defects found by trying the extreme but valid values of each option (a learning
/// rate that diverges at once, one sample, one image, options a method ignores), each driving the real
/// binary on tiny data.
@Suite(.serialized) struct EdgeValueCLITests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    /// Bug: `train pca --lr 0.5`, `--batch 7`, `--epochs 3`, and `--seed 3 --data DIR`, were accepted and did
    /// nothing (PCA is one deterministic pass; config.json even recorded lr 0.5). Each is now one usage line
    /// naming the option, and nothing is fitted; `--epochs 1` and `--seed` on the synthetic digits (which the
    /// seed draws) still fit.
    @Test func pcaRefusesOptionsThatDoNothing() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/idx"
        try writeIDXDataset(folder: folder, side: 28, count: 40)
        for (options, message) in [
            (["--lr", "0.5"], "'pca' takes no '--lr'"), (["--batch", "7"], "'pca' takes no '--batch'"),
            (["--epochs", "3"], "'pca' is fitted in one pass: '--epochs' can only be 1, got 3"),
            (["--seed", "3", "--data", folder], "'pca' takes no '--seed' on '"),
        ] {
            let result = try ManifoldBinary.run(
                ["train", "pca", "--run", "p", "--latent", "2"] + options + Self.tiny, runsRoot: root)
            expectOneLine(result, status: 2, message, "\(options)")
            #expect(!FileManager.default.fileExists(atPath: "\(root)/p"), "\(options): a run was written")
        }
        for (index, options) in [["--epochs", "1"], ["--seed", "3"], ["--data", folder]].enumerated() {
            let result = try ManifoldBinary.run(
                ["train", "pca", "--run", "p\(index)", "--latent", "2"] + options + Self.tiny, runsRoot: root)
            #expect(result.status == 0, "\(options): \(result.stderr)")
        }
    }

    /// Bug: a VAE whose loss became NaN in its first epoch (`--lr 10`) ended with "the last saved
    /// checkpoint is kept", though nothing had been saved and no run folder was left. The line now says
    /// nothing was saved.
    @Test func aFaultInTheFirstEpochSaysNothingWasSaved() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--lr", "10", "--epochs", "1"] + Self.tiny, runsRoot: root)
        expectOneLine(result, status: 1, "stopped, nothing was saved", "vae --lr 10")
        #expect(!result.stderr.contains("checkpoint is kept"), "\(result.stderr)")
        // Bug: the value was written as Swift prints it, "test_neg_elbo became -nan"; now "NaN".
        #expect(result.stderr.contains(" became NaN ") && !result.stderr.contains("nan"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/v"))
    }

    /// Bug: `attack fgsm --n 1` printed "fgsm on 1 images" and "1 gradient evaluations".
    @Test func oneImageReadsInTheSingular() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "m", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let attacked = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "m", "--n", "1", "--sanity-n", "1", "--quiet"], runsRoot: root)
        #expect(attacked.status == 0, "\(attacked.stderr)")
        #expect(attacked.stdout.contains("fgsm on 1 image: clean accuracy"), "\(attacked.stdout)")
        #expect(attacked.stdout.contains("; 1 gradient evaluation, "), "\(attacked.stdout)")
        #expect(attacked.stdout.contains("sanity checks on 1 image ("), "\(attacked.stdout)")
    }

    /// Bug: `poison backdoor --test-limit 1` whose one test image is of the target class trained and saved a
    /// run reporting "attack success rate 0.0000" (1.0 for another model): a rate out of no image, since the
    /// rate is measured on the triggered test images of the other classes. It is refused now, before
    /// training, naming the target; two test images (one outside the target) train as before.
    @Test func backdoorWithNoTestImageOutsideTheTargetIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/idx"
        try writeIDXDataset(folder: folder, side: 28, count: 40)  // labels 0, 1, ..., 9, 0, 1, ...
        let base = ["poison", "backdoor", "--data", folder, "--epochs", "1", "--quiet"]
        let refused = try ManifoldBinary.run(base + ["--test-limit", "1", "--run", "b1"], runsRoot: root)
        expectOneLine(
            refused, status: 2, "'poison backdoor': no test image lies outside the target class 0 (of 1 test image)",
            "--test-limit 1")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/b1"))
        let measured = try ManifoldBinary.run(base + ["--test-limit", "2", "--run", "b2", "--json"], runsRoot: root)
        #expect(measured.status == 0, "\(measured.stderr)")
        #expect(measured.stdout.contains("\"attack_success_rate\":"), "\(measured.stdout)")
    }

    /// Bug: `poison labelflip --target 3` was accepted and did nothing (each flipped label goes to a random
    /// other class). It is refused now, naming the option, before anything trains.
    @Test func labelflipRefusesATarget() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["poison", "labelflip", "--target", "3", "--run", "f"] + Self.tiny, runsRoot: root)
        expectOneLine(result, status: 2, "option '--target' is for backdoor", "labelflip --target 3")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/f"))
    }

    /// Bug: `compare ae pca --ae-run A --pca-run P` with runs trained on the synthetic digits of `--seed 7`
    /// measured them on the digits of seed 0 (compare's own default), without a word, so the PCA's error
    /// was not the one its run saved. The runs' seed now draws the digits; another `--seed` is refused, and
    /// so are two runs of different seeds.
    @Test func compareMeasuresSavedRunsOnTheDigitsTheirSeedDrew() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for (model, name, seed) in [("ae", "a7", "7"), ("pca", "p7", "7"), ("pca", "p3", "3")] {
            let trained = try ManifoldBinary.run(
                ["train", model, "--run", name, "--latent", "2", "--seed", seed, "--epochs", "1"] + Self.tiny,
                runsRoot: root)
            try #require(trained.status == 0, "\(name): \(trained.stderr)")
        }
        let compared = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "a7", "--pca-run", "p7", "--json", "--quiet"], runsRoot: root)
        #expect(compared.status == 0, "\(compared.stderr)")
        let object = try JSONValue.parse(compared.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let config = try JSONValue.parse(String(contentsOfFile: "\(root)/p7/config.json", encoding: .utf8))
        let saved = try #require(config["test"]?["mse"]?.doubleValue)
        let measured = try #require(object["pca"]?["mse"]?.doubleValue)
        #expect(abs(measured - saved) <= 1e-9 * saved, "compare measured \(measured), the run saved \(saved)")
        let otherSeed = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "a7", "--pca-run", "p7", "--seed", "4"], runsRoot: root)
        expectOneLine(otherSeed, status: 2, "option '--seed' 4 would draw other synthetic digits", "--seed 4")
        let mixed = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "a7", "--pca-run", "p3"], runsRoot: root)
        expectOneLine(mixed, status: 2, "were trained on different digits", "seeds 7 and 3")
    }

    /// Bug: `compare ae pca --ae-run A --epochs 3` (or `--batch`, `--lr`) was accepted and did nothing: a saved
    /// autoencoder is not trained. Each is refused now, naming the option.
    @Test func compareRefusesTrainingOptionsForASavedAutoencoder() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "ae", "--run", "a", "--latent", "2", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        for option in [["--epochs", "3"], ["--batch", "7"], ["--lr", "0.5"]] {
            let result = try ManifoldBinary.run(["compare", "ae", "pca", "--ae-run", "a"] + option, runsRoot: root)
            expectOneLine(
                result, status: 2, "option '\(option[0])' trains the autoencoder; '--ae-run' gives a saved one",
                "\(option)")
        }
    }

    /// Bug: `bench seeds --seeds 1` trained one seed and printed each figure as "0.0517 +- 0.0000", a
    /// standard deviation of 0 that one value cannot estimate (the bench is about the spread over seeds).
    /// It takes at least 2 seeds now, as `bench robust-training` does; refused before anything trains.
    @Test func benchSeedsNeedsTwoSeeds() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(["bench", "seeds", "--seeds", "1", "--no-torch"], runsRoot: root)
        expectOneLine(result, status: 2, "option '--seeds' must be between 2 and 1000, got 1", "--seeds 1")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }
}
