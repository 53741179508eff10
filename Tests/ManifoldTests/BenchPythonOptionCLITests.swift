import Foundation
import Testing

/// `--no-torch` with `--python` in every benchmark that has both.
@Suite struct BenchPythonOptionCLITests {
    /// Bug: `bench attack --no-torch --python PATH` (and autoattack, feature, models, ddpm, seeds,
    /// robust-training) ran without the PyTorch side and ignored `--python` without a word. The two are one
    /// usage error now, before any work.
    @Test func noTorchWithAPythonIsRefused() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns([["mlp", "--run", "c"]], options: CLIReviewDefectTests.tiny + ["--epochs", "1"], runsRoot: root)
        let run = ["--run", "c"]
        for (command, options) in [
            ("attack", run), ("autoattack", run), ("feature", run + ["--guide", "0"]), ("models", []), ("ddpm", []),
            ("seeds", []),
            ("robust-training", []),
        ] {
            let result = try ManifoldBinary.run(
                ["bench", command, "--no-torch", "--python", "/usr/bin/python3"] + options,
                runsRoot: root, timeout: 120)
            expectOneLine(
                result, status: 2,
                "options '--no-torch' and '--python' contradict each other: '--no-torch' runs no python",
                "bench \(command)")
        }
    }
}
