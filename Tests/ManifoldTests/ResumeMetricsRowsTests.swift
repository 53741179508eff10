import Base
import Foundation
import SafeTensors
import Testing

/// Bug: a metrics.csv holding rows of epochs past config.json's `epochs_done` (1, 2, 3 for a run saved at
/// epoch 1) read 1, 2, 3, 2 after `train --resume --epochs 2`, without a word; and `manifold runs` listed a
/// config without `epochs_done` as 0 epochs, which a resume refuses ("got missing"). The later rows are
/// dropped with a warning, and the count lists as "?" (null).
struct ResumeMetricsRowsTests {
    @Test func rowsPastTheSavedEpochAreDroppedWithAWarning() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("m", root: root)
        let path = "\(root)/m/metrics.csv"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        let later = [2, 3].map { epoch in "\(epoch)" + lines[1].drop { $0 != "," } }
        try (([lines[0], lines[1]] + later).joined(separator: "\n") + "\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "m", "--resume", "--epochs", "2", "--quiet"], runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(
            resumed.stderr.contains("\(path): 2 rows of epochs past config.json's epochs_done dropped"),
            "\(resumed.stderr)")
        let epochs = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.prefix { $0 != "," } }
        #expect(epochs == ["1", "2"], "\(epochs)")
    }

    /// Bug: a metrics.csv emptied to its header was resumed without a word, the epochs done losing their rows.
    @Test func missingRowsOfTheEpochsDoneAreNamed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let trained = try ManifoldBinary.run(
            ["train", "mlp", "--run", "m", "--epochs", "2", "--train-limit", "128", "--test-limit", "32", "--quiet"],
            runsRoot: root)
        try #require(trained.status == 0, "\(trained.stderr)")
        let path = "\(root)/m/metrics.csv"
        let header = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")[0]
        try (header + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "m", "--resume", "--epochs", "3", "--quiet"], runsRoot: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(path): it has no row for 2 epochs of the ones done"), "\(resumed.stderr)")
    }

    @Test func aConfigWithoutEpochsDoneListsAsUnknown() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("m", root: root)
        let path = "\(root)/m/config.json"
        try editConfig(path) { $0["epochs_done"] = nil }
        let listed = try ManifoldBinary.run(["runs", "--json"], runsRoot: root)
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try JSONValue.parse(Array(listed.stdout.utf8))["runs"]?.arrayValue ?? []
        #expect(rows.count == 1 && rows.first?["epochs"] == .null, "\(listed.stdout)")
        let resumed = try ManifoldBinary.run(
            ["train", "mlp", "--run", "m", "--resume", "--epochs", "2"], runsRoot: root)
        expectOneLine(
            resumed, status: 1, "epochs_done must be a whole number from 0 to 1000000, it is missing", "resume")
    }
}
