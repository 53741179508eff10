import Base
import Foundation
import SafeTensors
import Testing

/// End-to-end tests of `manifold attack pgd --target all` (a targeted run towards every class from the
/// same images, perceptually aligned gradients) and `--compare RUN2` on tiny synthetic data.
@Suite(.serialized) struct TargetSweepCLITests {
    static let tiny = ["--train-limit", "600", "--test-limit", "100", "--quiet"]

    func train(_ name: String, root: String, seed: String = "1", extra: [String] = []) throws {
        let result = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "3", "--run", name, "--seed", seed] + Self.tiny + extra, runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The rows of a CSV file without its header, split into cells.
    func csvRows(_ path: String, header: String) throws -> [[String]] {
        let lines = String(decoding: try FileIO.readAll(path: path), as: UTF8.self).split(separator: "\n")
        #expect(lines.first.map(String.init) == header)
        return lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static let csvHeader = "image,label,clean_prediction,target,prediction,target_probability,success"

    /// `--target all --json --out`: the grid has a row per image and the clean column plus one per class,
    /// the CSV a row per image and target whose predictions reach the targets, and `target_sweep` reports
    /// each class with the success rate the CSV gives.
    @Test func targetAllWritesTheGridAndReportsEveryClass() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("victim", root: root)
        let out = root + "/sweep"
        let result = try ManifoldBinary.run(
            [
                "attack", "pgd", "--run", "victim", "--target", "all", "--eps", "0.5", "--steps", "20", "--n", "4",
                "--out", out, "--json", "--quiet",
            ], runsRoot: root)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["attack"]?.stringValue == "pgd" && object["target"]?.stringValue == "all")
        #expect(object["n"]?.integerValue == 4 && object["eps"]?.doubleValue == 0.5)
        #expect(object["compare"] == nil && object["other_model_success_rate"] == nil)
        let sweep = try #require(object["target_sweep"]?.arrayValue)
        #expect(sweep.count == 10)

        // 28x28 tiles with 1-pixel gaps: 11 columns (clean + 10 targets), 4 rows.
        let size = try pngSize(out + "/target-grid.png")
        #expect(size.width == 11 * 29 + 1 && size.height == 4 * 29 + 1, "\(size)")
        #expect(!FileManager.default.fileExists(atPath: out + "/target-grid-side-by-side.png"))

        let rows = try csvRows(out + "/target-sweep.csv", header: Self.csvHeader)
        #expect(rows.count == 4 * 10)
        // Targeted PGD at eps 0.5 on a tiny MLP reaches nearly every target.
        let reached = rows.filter { $0[3] == $0[4] }.count
        #expect(reached >= 36, "\(reached) of 40 targets reached")
        for row in rows { #expect(row[6] == (row[3] == row[4] ? "1" : "0"), "\(row)") }
        for (index, entry) in sweep.enumerated() {
            #expect(entry["target"]?.integerValue == index)
            #expect(entry["class"]?.stringValue?.isEmpty == false)
            let hits = rows.filter { Int($0[3]) == index && $0[6] == "1" }.count
            #expect(entry["success_rate"]?.doubleValue == Double(hits) / 4, "target \(index)")
            let p = entry["mean_target_probability"]?.doubleValue ?? -1
            #expect(p >= 0 && p <= 1)
        }
        let mean = sweep.compactMap { $0["success_rate"]?.doubleValue }.reduce(0, +) / 10
        #expect(abs((object["success_rate"]?.doubleValue ?? -1) - mean) < 1e-9)
    }

    /// `--compare RUN2`: both sweeps in the text table, the second grid and CSV, and both grids side by
    /// side in one PNG (the first left, a 6-pixel band between).
    @Test func compareDrawsBothRunsSideBySide() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("standard", root: root)
        try train("robust", root: root, seed: "2", extra: ["--adversarial", "pgd", "--eps", "0.1"])
        let out = root + "/both"
        let arguments = [
            "attack", "pgd", "--run", "standard", "--compare", "robust", "--target", "all", "--eps", "0.5",
            "--steps", "10", "--n", "3", "--out", out, "--quiet",
        ]
        let text = try ManifoldBinary.run(arguments, runsRoot: root)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("pgd towards every class, L-inf eps 0.5, from 3 test images") == true)
        #expect(lines.contains { $0.contains("standard") && $0.contains("robust") }, "\(text.stdout)")
        // A line per class: its number, its name, then a success rate and a probability per run.
        for target in 0..<10 {
            #expect(
                lines.contains { line in
                    let cells = line.split(separator: " ")
                    return cells.first == "\(target)" && cells.count >= 6
                        && cells.suffix(4).allSatisfy { Double($0).map { (0...1).contains($0) } ?? false }
                }, "target \(target): \(text.stdout)")
        }
        #expect(lines.contains { $0.hasPrefix("robust: clean accuracy") })
        #expect(lines.contains { $0.hasPrefix("other: the share of a run's images") })

        let single = try pngSize(out + "/target-grid.png")
        #expect(try pngSize(out + "/target-grid-compare.png") == single)
        let both = try pngSize(out + "/target-grid-side-by-side.png")
        #expect(both.width == 2 * single.width + 6 && both.height == single.height, "\(both)")
        #expect(try csvRows(out + "/target-sweep-compare.csv", header: Self.csvHeader).count == 30)

        let json = try ManifoldBinary.run(arguments + ["--json"], runsRoot: root)
        let object = try JSONValue.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let compare = try #require(object["compare"])
        #expect(compare["run"]?.stringValue?.hasSuffix("robust") == true)
        #expect(object["run"]?.stringValue?.hasSuffix("standard") == true)
        #expect(compare["target_sweep"]?.arrayValue?.count == 10)
        #expect(compare["clean_accuracy"]?.doubleValue != nil && compare["success_rate"]?.doubleValue != nil)
        // Each run's images judged by the other run: a share per class, and its mean.
        for side in [object, compare] {
            let shares = (side["target_sweep"]?.arrayValue ?? []).compactMap {
                $0["other_model_success_rate"]?.doubleValue
            }
            #expect(shares.count == 10 && shares.allSatisfy { (0...1).contains($0) })
            let mean = side["other_model_success_rate"]?.doubleValue ?? -1
            #expect(abs(mean - shares.reduce(0, +) / 10) < 1e-9)
        }
    }

    @Test func badInputIsOneLineWithStatus2() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try train("victim", root: root)
        let folder = root + "/small"
        try writeIDXDataset(folder: folder, side: 12, count: 20)
        let small = try ManifoldBinary.run(
            ["train", "mlp", "--epochs", "1", "--run", "small", "--data", folder, "--quiet"], runsRoot: root)
        #expect(small.status == 0, "\(small.stderr)")
        let all = ["--run", "victim", "--target", "all"]
        let cases: [([String], Int32, String)] = [
            (["attack", "fgsm"] + all, 2, "'--target all' needs a targeted gradient attack (pgd, pgd-l2, bim, apgd)"),
            (["attack", "cw"] + all, 2, "'--target all' needs a targeted gradient attack"),
            (["attack", "apgd-t"] + all, 2, "apgd-t is not one"),
            (
                ["attack", "pgd", "--run", "victim", "--compare", "victim"], 2,
                "'--compare' applies to --target all only"
            ),
            (["attack", "pgd", "--sanity-n", "5"] + all, 2, "'--sanity-n' does not apply to --target all"),
            (["attack", "pgd", "--restarts", "2"] + all, 2, "'--restarts' does not apply to --target all"),
            (["attack", "pgd", "--batch", "2"] + all, 2, "'--batch' does not apply to --target all"),
            (["attack", "pgd", "--n", "101"] + all, 2, "has 100"),
            (["attack", "pgd", "--compare", "small"] + all, 2, "'--compare' run 'small' takes 12x12 images"),
            (["attack", "pgd", "--compare", "missing"] + all, 2, "no run folder"),
        ]
        for (arguments, status, message) in cases {
            let result = try ManifoldBinary.run(arguments, runsRoot: root)
            #expect(result.status == status, "\(arguments): status \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }
}
