import Base
import Foundation
import SafeTensors
import Testing

/// `manifold runs` lists a saved test accuracy that is not one (a hand-edited `1e308`, a negative or text
/// value) as `?`, and `runs --json` as null, as it lists an invalid `epochs_done`; it printed the 309 digits
/// of 1e308 in the column and `1e+308` in the JSON.
@Suite struct RunsInvalidAccuracyCLITests {
    @Test func anInvalidAccuracyListsAsAQuestionMarkAndNull() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let accuracies: [String: JSONValue] = [
            "huge": .number(1e308), "negative": .number(-0.5), "text": .string("0.9"), "fine": .number(0.875),
        ]
        for (name, accuracy) in accuracies {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            let config: JSONValue = .object([
                "model": .string("mlp"), "dataset": .string("synthetic"), "data": .string("synthetic"),
                "epochs": .integer(1), "epochs_done": .integer(1), "created": .string("2026-01-01T00:00:00Z"),
                "test": .object(["accuracy": accuracy]),
            ])
            try config.serialized().write(toFile: "\(root)/\(name)/config.json", atomically: true, encoding: .utf8)
        }
        let runs = try ManifoldBinary.run(["runs"], runsRoot: root)
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(!runs.stdout.contains("100000"), "\(runs.stdout)")
        for name in accuracies.keys {
            let line = runs.stdout.split(separator: "\n").first { $0.hasPrefix("\(name) ") }
            let column = name == "fine" ? " 0.8750 " : " ? "
            #expect(line?.contains(column) == true, "\(name): \(line ?? "no line")")
        }
        let listed = try JSONValue.parse(try ManifoldBinary.run(["runs", "--json"], runsRoot: root).stdout)
        for name in accuracies.keys {
            let row = listed["runs"]?.arrayValue?.first { $0["run"]?.stringValue?.hasSuffix("/\(name)") == true }
            let expected: JSONValue = name == "fine" ? .number(0.875) : .null
            #expect(row?["test_accuracy"] == expected, "\(name): \(row.map { $0.serialized() } ?? "no row")")
        }
    }
}
