import Foundation
import Testing

@testable import Manifold

/// Regression tests for the command line as `--help`, `help COMMAND` and README's command reference
/// describe it: what the parser takes, what the help promises, and one line (exit 2) for a mistake.
@Suite struct HelpAndParserCLITests {
    /// Bug: `train mlp --run --quiet` (the run's name forgotten) trained, not quietly, into a run named
    /// '--quiet', and exited 0; `attack pgd --run --n 5` said "'attack' got an unexpected argument '5'".
    /// Both are one line naming the option that lacks its value now, and nothing is written.
    @Test func anOptionWhereAValueBelongsIsAMissingValue() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let cases: [([String], String)] = [
            (
                ["train", "mlp", "--run", "--quiet", "--train-limit", "10"],
                "option '--run' needs a value, got the option '--quiet'"
            ),
            (["attack", "pgd", "--run", "--n", "5"], "option '--run' needs a value, got the option '--n'"),
        ]
        for (arguments, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            expectOneLine(result, status: 2, message, arguments.joined(separator: " "))
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/--quiet"))
    }
}
