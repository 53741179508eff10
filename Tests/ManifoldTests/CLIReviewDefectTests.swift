import Base
import Bench
import Foundation
import SafeTensors
import Testing

/// Regression tests for the command-line defects of the second CLI review, each driving the real binary.
@Suite(.serialized) struct CLIReviewDefectTests {
    static let tiny = ["--train-limit", "300", "--test-limit", "100", "--quiet"]

    func expectUsageError(_ result: CommandResult, _ message: String, _ label: String) {
        #expect(result.status == 2, "\(label): status \(result.status), \(result.stderr)")
        #expect(result.stderr.contains(message), "\(label): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(label): \(result.stderr)")
    }

    /// Bug: a metrics.csv whose last row was cut mid-line kept the broken row when training continued
    /// with `--resume`; the new rows came after it. The broken row is dropped, with a note naming the file.
    @Test func resumeDropsACutShortMetricsRow() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "cut", "--epochs", "2"] + Self.tiny, runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let path = "\(root)/cut/metrics.csv"
        let whole = try FileIO.readAll(path: path)
        try Data(whole.dropLast(12)).write(to: URL(fileURLWithPath: path))
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "cut", "--epochs", "3", "--resume", "--quiet"], runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(path): its last row was cut short"), "\(resumed.stderr)")
        let lines = String(decoding: try FileIO.readAll(path: path), as: UTF8.self).split(separator: "\n")
        let columns = lines.first?.split(separator: ",", omittingEmptySubsequences: false).count ?? 0
        #expect(lines.map { $0.split(separator: ",").first ?? "" } == ["epoch", "1", "3"], "\(lines)")
        for line in lines {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == columns, "\(line)")
        }
    }

    /// Bug: `--data ""` silently meant the synthetic digits.
    @Test func emptyDataIsAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let train = try ManifoldBinary.run(["train", "mlp", "--data", ""] + Self.tiny, runsRoot: root)
        expectUsageError(train, "option '--data' is empty", "train --data ''")
        let poison = try ManifoldBinary.run(["poison", "labelflip", "--data="] + Self.tiny, runsRoot: root)
        expectUsageError(poison, "option '--data' is empty", "poison --data=")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: root))?.isEmpty != false)
    }
}
