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
}
