import Base
import Foundation
import Testing

/// Regression tests for the command-line defects of the third CLI review, each driving the real binary.
@Suite(.serialized) struct CLIReviewThreeDefectTests {
    static let tiny = CLIReviewDefectTests.tiny

    /// Bug: Ctrl-C in `eval` and `bench` ended the process without a word (exit 130), while train,
    /// attack, sample, poison, compare and defend say in one line that they were interrupted.
    @Test func ctrlCInEvalAndBenchSaysItWasInterrupted() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "c", "--epochs", "1"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        // A data folder whose files are named pipes nobody writes: eval waits on them until interrupted.
        let data = "\(root)/pipes"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        for name in [
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        ] {
            try #require(mkfifo("\(data)/\(name)", 0o600) == 0)
        }
        let cases: [(arguments: [String], says: String)] = [
            (["eval", "c", "--data", data], "interrupted: eval writes no files; no report was printed"),
            (
                ["bench", "train", "--steps", "100000", "--rounds", "100"],
                "interrupted: the benchmark did not finish; no report was printed"
            ),
        ]
        for (arguments, says) in cases {
            let (status, stderr) = try CLIReviewDefectTests().interrupt(arguments, root: root, delay: 1)
            #expect(status == 130, "\(arguments[0]): status \(String(describing: status)): \(stderr)")
            let lines = stderr.split(separator: "\n").filter { $0.contains("interrupted") }
            #expect(lines.count == 1 && stderr.contains("manifold: " + says), "\(arguments[0]): \(stderr)")
        }
    }
}
