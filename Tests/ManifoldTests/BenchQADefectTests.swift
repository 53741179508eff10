import Base
import Foundation
import Testing

/// Defects of the `bench` commands found by driving the binary; each test fails without its fix.
@Suite(.serialized) struct BenchQADefectTests {
    /// Bug: `bench models --workloads cnn` on 6x6 images crashed in its worker (exit 132 there, "worker exited
    /// with status 132" here); `ddpm-unet` was refused up front. The cnn is refused as `train cnn` refuses it.
    @Test func aCNNWorkloadOnImagesItCannotTakeIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try writeIDXDataset(folder: "\(root)/small", side: 6, count: 40)
        let result = try ManifoldBinary.run(
            ["bench", "models", "--data", "\(root)/small", "--workloads", "cnn", "--rounds", "1", "--no-torch"])
        expectOneLine(result, status: 2, "workload 'cnn': the cnn needs image sides divisible by 4, got 6x6", "cnn")
    }

    /// Bug: an attack workload counted (and charged the GFLOP of) 100 images where the test set had 5, so its
    /// GEMM share read 307%; it counts the images attacked.
    @Test func anAttackWorkloadCountsTheImagesItAttacks() throws {
        let result = try ManifoldBinary.run([
            "bench", "models", "--data", "synthetic", "--workloads", "fgsm", "--scale", "0.01", "--rounds", "1",
            "--train-limit", "500", "--test-limit", "5", "--threads", "1", "--no-torch", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try #require(
            try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))["workloads"]?.arrayValue?
                .first)
        #expect(row["steps"]?.integerValue == 5, "\(result.stdout)")
    }

    /// Bug: `bench ddpm --steps 3000` (any T from about 3000) failed: the fresh model's samples overflowed
    /// under the plain linear schedule (1 / sqrt(alphaBar_T) = e^15). Above T = 1000 beta's range is scaled.
    @Test func aLongScheduleSamples() throws {
        let result = try ManifoldBinary.run([
            "bench", "ddpm", "--steps", "3000", "--n", "1", "--train-steps", "1", "--rounds", "1", "--no-torch",
            "--threads", "1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sample 1 x 3000 steps"), "\(result.stdout)")
    }

    /// Bug: `bench guidance --test-limit 0` said "at least 1" and `--test-limit 1` "at least 2"; `version
    /// --help` printed the overview where every other command prints its own usage.
    @Test func optionRangesAndHelpSayOneThing() throws {
        for limit in ["0", "1"] {
            let result = try ManifoldBinary.run(
                ["bench", "guidance", "--run", "x", "--classifier", "y", "--test-limit", limit])
            expectOneLine(result, status: 2, "option '--test-limit' must be at least 2, got \(limit)", limit)
        }
        for arguments in [["version", "--help"], ["help", "version"], ["--version", "-h"]] {
            let help = try ManifoldBinary.run(arguments)
            #expect(help.status == 0 && help.stdout.contains("usage: manifold version"), "\(arguments): \(help.stdout)")
        }
    }

    /// Bug: `bench threats --runs m,m` measured one model as two rows and `bench robust-training --recipes
    /// pgd,pgd` quietly trained one (`bench guidance` refuses a guide twice); `bench feature --guide 500` on a
    /// run of 100 test images named the dataset's 4000; `bench autoattack --steps 1` said "1 iterations".
    @Test func repeatsLimitsAndCountsAreNamed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "m", "--train-limit", "300", "--test-limit", "100", "--quiet"], runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let threats = try ManifoldBinary.run(["bench", "threats", "--runs", "m,\(root)/m", "--n", "4"], runsRoot: root)
        expectOneLine(threats, status: 2, "option '--runs' lists 'm' twice", "threats")
        let recipes = try ManifoldBinary.run(["bench", "robust-training", "--recipes", "pgd,pgd"], runsRoot: root)
        expectOneLine(recipes, status: 2, "option '--recipes' lists 'pgd' twice", "recipes")
        let feature = try ManifoldBinary.run(
            ["bench", "feature", "--run", "m", "--guide", "500", "--no-torch"], runsRoot: root)
        expectOneLine(feature, status: 2, "(100 images, the test images the run was trained with)", "feature")
        let autoattack = try ManifoldBinary.run(
            [
                "bench", "autoattack", "--run", "m", "--n", "4", "--steps", "1", "--queries", "3", "--rounds", "1",
                "--no-torch",
            ], runsRoot: root)
        #expect(autoattack.status == 0, "\(autoattack.stderr)")
        #expect(autoattack.stdout.contains("1 iteration, Square 3 queries)"), "\(autoattack.stdout)")
    }
}
