import Base
import Foundation
import SafeTensors
import Testing

/// The `--json` output of fixed-seed commands, pinned before the architecture redesign of issue 13 so
/// that moving the run lifecycle, the options and the attacks' fast paths cannot change what a command
/// computes. Timing fields and the runs folder's path are left out of the comparison; whole numbers and
/// text must match exactly, fractions to a relative 1e-6 (libm's exp and log may differ in the last bit
/// between CPUs).
///
/// To re-pin after an intended change: `MANIFOLD_UPDATE_GOLDEN=1 swift test -c release --filter JSONGoldenTests`,
/// then review the diff of `Fixtures/golden-json/`.
@Suite(.serialized) struct JSONGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden-json").path
    static let small = ["--train-limit", "600", "--test-limit", "100", "--quiet", "--json", "--seed", "3"]

    /// The commands, in order (later ones use the runs of earlier ones), each with its fixture name.
    static let commands: [(name: String, arguments: [String])] = [
        ("train-mlp", ["train", "mlp", "--epochs", "1", "--run", "mlp"] + small),
        ("train-cnn", ["train", "cnn", "--epochs", "1", "--run", "cnn", "--batch", "64"] + small),
        ("train-vae", ["train", "vae", "--epochs", "1", "--run", "vae"] + small),
        ("train-ddpm", ["train", "ddpm", "--epochs", "1", "--run", "ddpm"] + small),
        ("attack-fgsm", ["attack", "fgsm", "--run", "mlp", "--eps", "0.1", "--n", "50", "--json"]),
        ("attack-pgd", ["attack", "pgd", "--run", "mlp", "--eps", "0.1", "--steps", "10", "--n", "50", "--json"]),
        ("attack-cw", ["attack", "cw", "--run", "mlp", "--steps", "20", "--search-steps", "2", "--n", "20", "--json"]),
        ("sample-ddim", ["sample", "ddim", "--run", "ddpm", "--n", "4", "--steps", "10", "--seed", "1", "--json"]),
    ]

    @Test func fixedSeedCommandsPrintTheSameJSON() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let update = ProcessInfo.processInfo.environment["MANIFOLD_UPDATE_GOLDEN"] == "1"
        if update { try FileManager.default.createDirectory(atPath: Self.fixtures, withIntermediateDirectories: true) }
        for (name, arguments) in Self.commands {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            try #require(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
            let output = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            let normalised = Self.normalise(output, root: root)
            let path = "\(Self.fixtures)/\(name).json"
            if update {
                try (normalised.serialized(pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try JSONValue.parse(try FileIO.readAll(path: path))
            let differences = Self.differences(normalised, expected, at: name)
            #expect(differences.isEmpty, "\(arguments.joined(separator: " ")):\n\(differences.joined(separator: "\n"))")
        }
    }

    /// The output without timing fields, with the runs folder written as `RUNS`.
    static func normalise(_ value: JSONValue, root: String) -> JSONValue {
        switch value {
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, item) in object where !isTiming(key) { kept[key] = normalise(item, root: root) }
            return .object(kept)
        case .array(let items): return .array(items.map { normalise($0, root: root) })
        case .string(let text): return .string(text.replacingOccurrences(of: root, with: "RUNS"))
        default: return value
        }
    }

    static func isTiming(_ key: String) -> Bool {
        key.contains("seconds") || key.hasSuffix("_per_second") || key == "created" || key == "steps_per_second"
    }

    /// Where `actual` and `expected` differ, one line each, naming the path of the value.
    static func differences(_ actual: JSONValue, _ expected: JSONValue, at path: String) -> [String] {
        switch (actual, expected) {
        case (.object(let a), .object(let e)):
            var lines: [String] = []
            for key in Set(a.keys).union(e.keys).sorted() {
                switch (a[key], e[key]) {
                case (let x?, let y?): lines += differences(x, y, at: "\(path).\(key)")
                case (nil, _): lines.append("\(path).\(key): missing")
                case (_, nil): lines.append("\(path).\(key): not in the fixture")
                }
            }
            return lines
        case (.array(let a), .array(let e)):
            guard a.count == e.count else { return ["\(path): \(a.count) items, expected \(e.count)"] }
            return zip(a, e).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)[\($0)]") }
        case (.number, _), (_, .number):
            guard let x = actual.doubleValue, let y = expected.doubleValue,
                x == y || Swift.abs(x - y) <= 1e-6 * max(Swift.abs(x), Swift.abs(y))
            else { return ["\(path): \(actual.serialized()), expected \(expected.serialized())"] }
            return []
        default:
            return actual == expected ? [] : ["\(path): \(actual.serialized()), expected \(expected.serialized())"]
        }
    }
}
