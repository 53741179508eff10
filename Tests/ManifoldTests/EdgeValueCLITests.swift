import Foundation
import Testing

/// Regression tests for defects found by trying the extreme but valid values of each option (a learning
/// rate that diverges at once, one sample, one image, options a method ignores), each driving the real
/// binary on tiny data.
@Suite(.serialized) struct EdgeValueCLITests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    /// Bug: a VAE whose loss became NaN in its first epoch (`--lr 10`) ended with "the last saved
    /// checkpoint is kept", though nothing had been saved and no run folder was left. The line now says
    /// nothing was saved.
    @Test func aFaultInTheFirstEpochSaysNothingWasSaved() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let result = try ManifoldBinary.run(
            ["train", "vae", "--run", "v", "--lr", "10", "--epochs", "1"] + Self.tiny, runsRoot: root)
        expectOneLine(result, status: 1, "stopped before the first epoch ended: nothing was saved", "vae --lr 10")
        #expect(!result.stderr.contains("checkpoint is kept"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/v"))
    }
}
