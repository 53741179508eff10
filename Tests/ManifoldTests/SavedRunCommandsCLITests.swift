import Foundation
import Testing

/// The commands that consume saved runs (`sample`, `eval`, `compare`, `defend purify`): options that
/// would do nothing are refused, and figures come from what the options ask for.
@Suite struct SavedRunCommandsCLITests {
    static let tiny = CLIReviewDefectTests.tiny

    /// Bug: `compare ae pca --ae-run A --pca-run P --train-limit 5` printed the same figures as without the
    /// option: with both models saved nothing trains or fits, so the limit did nothing, silently. So did
    /// `--seed` with a saved autoencoder on data not drawn from a seed (PCA's fit has no randomness). Both
    /// are now refused in one line (exit 2) naming the option; a `--train-limit` that still limits a model
    /// (the PCA fitted beside `--ae-run`) is taken as before.
    @Test func compareRefusesOptionsThatNothingUsesWithSavedRuns() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/tiny8"
        try writeIDXDataset(folder: folder, side: 8, count: 20)
        try trainRuns(
            [
                ["ae", "--run", "a", "--latent", "2", "--epochs", "1"],
                ["pca", "--run", "p", "--latent", "2"],
                ["ae", "--run", "fa", "--latent", "2", "--epochs", "1", "--data", folder],
                ["pca", "--run", "fp", "--latent", "2", "--data", folder],
            ], options: Self.tiny, runsRoot: root)
        let both = ["compare", "ae", "pca", "--ae-run", "a", "--pca-run", "p", "--quiet"]
        expectOneLine(
            try ManifoldBinary.run(both + ["--train-limit", "5"], runsRoot: root), status: 2,
            "option '--train-limit'", "both saved, --train-limit")
        let folderBoth = ["compare", "ae", "pca", "--ae-run", "fa", "--pca-run", "fp", "--quiet"]
        expectOneLine(
            try ManifoldBinary.run(folderBoth + ["--seed", "3"], runsRoot: root), status: 2, "option '--seed'",
            "both saved on a folder, --seed")
        expectOneLine(
            try ManifoldBinary.run(
                ["compare", "ae", "pca", "--ae-run", "fa", "--seed", "3", "--quiet"], runsRoot: root), status: 2,
            "option '--seed'", "saved ae on a folder, --seed")
        // Still taken: the seed of the synthetic digits the runs were drawn from, and a limit on the PCA fit.
        for arguments in [
            both + ["--seed", "0"], ["compare", "ae", "pca", "--ae-run", "a", "--train-limit", "50", "--quiet"],
        ] {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }

    /// Bug: `compare ae pca --ae-run A --data fashion`, A trained on the synthetic digits, fitted the PCA on
    /// Fashion-MNIST and measured both on Fashion: a model that never saw the images against one fitted to
    /// them ("PCA reconstructs better"), without a word; `--pca-run P --data D` trained the autoencoder on D
    /// against P's other data the same way. Two saved runs of different data were already refused. Now a
    /// `--data` other than the saved run's is refused in one line (exit 2) when the other model is made
    /// here; the saved run's folder spelled another way is the same data.
    @Test func compareRefusesFittingOneSideOnOtherDataThanTheSavedRun() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let folder = "\(root)/tiny28"
        try writeIDXDataset(folder: folder, side: 28, count: 40)
        try trainRuns(
            [
                ["ae", "--run", "a", "--latent", "2", "--epochs", "1"], ["pca", "--run", "p", "--latent", "2"],
                ["ae", "--run", "fa", "--latent", "2", "--epochs", "1", "--data", folder],
            ], options: Self.tiny, runsRoot: root)
        for (arguments, label) in [
            (["--ae-run", "a", "--data", folder], "saved ae of the digits, pca fitted on a folder"),
            (["--pca-run", "p", "--data", folder, "--epochs", "1"], "saved pca of the digits, ae trained on a folder"),
            (["--ae-run", "fa", "--data", "synthetic"], "saved ae of a folder, pca fitted on the digits"),
        ] {
            expectOneLine(
                try ManifoldBinary.run(["compare", "ae", "pca", "--quiet"] + arguments, runsRoot: root), status: 2,
                "option '--data'", label)
        }
        let same = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "fa", "--data", folder + "/", "--quiet", "--json"], runsRoot: root)
        #expect(same.status == 0, "the saved folder spelled another way: \(same.stderr)")
        let both = try ManifoldBinary.run(
            ["compare", "ae", "pca", "--ae-run", "a", "--pca-run", "p", "--data", folder, "--quiet"], runsRoot: root)
        #expect(both.status == 0, "both saved, measured on other data: \(both.stderr)")
    }
}
