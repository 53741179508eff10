import Base
import Foundation
import Testing

/// End-to-end runs of `manifold bench models` on tiny sizes: the Manifold side in its child processes,
/// the PyTorch side skipped or stood in for by a script that prints fixed figures (whether PyTorch is
/// installed is the machine's business).
@Suite(.serialized) struct ModelsBenchCLITests {
    static let base = [
        "bench", "models", "--data", "synthetic", "--train-limit", "600", "--test-limit", "40", "--scale", "0.004",
        "--threads", "1",
    ]
    static let tiny = base + ["--workloads", "mlp,ddpm-sample,fgsm,vae"]

    func json(_ result: CommandResult) throws -> JSONValue {
        try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func everyWorkloadIsTimedInItsOwnChildWithItsPeakMemory() throws {
        let bench = try ManifoldBinary.run(Self.tiny + ["--rounds", "2", "--no-torch", "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try json(bench)
        #expect(object["cpu"]?.stringValue?.isEmpty == false && (object["gemm_gflops"]?.doubleValue ?? 0) > 0)
        #expect(object["torch_note"]?.stringValue == "skipped (--no-torch)")
        let rows = object["workloads"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["name"]?.stringValue } == ["mlp", "ddpm-sample", "fgsm", "vae"])
        #expect(rows.compactMap { $0["steps"]?.integerValue } == [2, 2, 40, 1])
        for row in rows {
            let best = try #require(row["manifold_s"]?.doubleValue)
            #expect(best > 0 && best <= (row["manifold_median_s"]?.doubleValue ?? 0))
            #expect((row["manifold_peak_mb"]?.doubleValue ?? 0) > 1)
            #expect((row["gemm_share"]?.doubleValue ?? 0) > 0)
            #expect(row["pytorch_s"] == .null && row["ratio"] == .null)
        }
        // fgsm's check is the robust accuracy of 40 images.
        let accuracy = try #require(rows[2]["manifold_check"]?.doubleValue)
        #expect((0...1).contains(accuracy) && (accuracy * 40).rounded() == accuracy * 40)
    }

    /// The PyTorch side's lines are parsed and the ratio is Manifold's best time over PyTorch's.
    @Test func theRatioComparesBestTimesAndABrokenPythonIsANote() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let fake = try standInPython(in: root, printing: ["baseline_mb 12", "seconds 0.5", "check 0.25", "peak_mb 34"])
        let bench = try ManifoldBinary.run(Self.base + ["--workloads", "fgsm", "--python", fake, "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let row = try #require(try json(bench)["workloads"]?.arrayValue?.first)
        let ours = try #require(row["manifold_s"]?.doubleValue)
        #expect(row["pytorch_s"]?.doubleValue == 0.5 && row["pytorch_check"]?.doubleValue == 0.25)
        #expect(abs((row["ratio"]?.doubleValue ?? 0) - ours / 0.5) < 1e-12)
        #expect(row["pytorch_baseline_mb"]?.doubleValue == 12 && row["pytorch_peak_mb"]?.doubleValue == 34)

        let missing = try ManifoldBinary.run(Self.base + ["--workloads", "fgsm", "--python", "/nonexistent/python"])
        #expect(missing.status == 0, "\(missing.stderr)")
        #expect(missing.stdout.contains("fgsm") && missing.stdout.contains("pytorch: "), "\(missing.stdout)")
    }

    /// Bug: a python that printed `seconds nan` (or 0) was taken at its word: "nan / nan" and a ratio of nan
    /// in the table, `null`s in the JSON, and no `torch_note`. Now it is a note, and no PyTorch figure.
    @Test func aReferencePrintingNoPositiveSecondsIsANote() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for seconds in ["nan", "0"] {
            let fake = try standInPython(in: root, printing: ["baseline_mb 12", "seconds \(seconds)", "check 0.25"])
            let bench = try ManifoldBinary.run(Self.base + ["--workloads", "fgsm", "--python", fake, "--json"])
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try json(bench)
            #expect(object["torch_note"]?.stringValue?.contains("not a positive number") == true, "\(bench.stdout)")
            let row = try #require(object["workloads"]?.arrayValue?.first)
            #expect(row["pytorch_s"] == .null && row["ratio"] == .null && row["pytorch_check"] == .null, "\(row)")
        }
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        for (arguments, needle) in [
            (["--workloads", "mlp,nope"], "nope"), (["--scale", "0"], "--scale"), (["--steps", "5"], "--steps"),
            (["--worker", "mlp"], "--input"), (["--rounds", "0"], "--rounds"),
        ] {
            let result = try ManifoldBinary.run(["bench", "models"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1)
        }
        let noFolder = try ManifoldBinary.run(
            ["bench", "models", "--worker", "mlp", "--input", "/nonexistent/folder", "--steps", "1"])
        #expect(noFolder.status != 0 && noFolder.stderr.contains("/nonexistent/folder"), "\(noFolder.stderr)")
    }
}

/// `bench gemm` beside a PyTorch stand-in: medians per side and the ratio to the faster reference.
@Suite(.serialized) struct GEMMBenchCLITests {
    @Test func theRatioIsToTheFasterReference() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        // Five shapes, each at 1.5 GFLOP/s: far below any real kernel, so Manifold's ratio is its own rate / 1.5.
        let fake = try standInPython(in: root, printing: Array(repeating: "gflops 1.5", count: 5))
        let bench = try ManifoldBinary.run(
            ["bench", "gemm", "--threads", "1", "--rounds", "2", "--no-numpy", "--python", fake, "--json"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try JSONValue.parse(bench.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["rounds"]?.integerValue == 2)
        let rows = object["gemm"]?.arrayValue ?? []
        #expect(rows.count == 5)
        for row in rows {
            let ours = try #require(row["gflops"]?.doubleValue)
            #expect(row["torch_gflops"]?.doubleValue == 1.5 && row["numpy_gflops"] == nil)
            #expect(abs((row["ratio_to_fastest"]?.doubleValue ?? 0) - ours / 1.5) < 0.01 * ours)
        }
        let broken = try ManifoldBinary.run(
            ["bench", "gemm", "--threads", "1", "--rounds", "1", "--no-numpy", "--python", "/nonexistent/python"])
        #expect(broken.status == 0 && broken.stdout.contains("pytorch: "), "\(broken.stdout)")
        // One round is one round, not "1 alternating rounds".
        #expect(broken.stdout.contains("medians of 1 alternating round)"), "\(broken.stdout)")
    }

    /// Bug: a reference that printed `gflops nan` or `gflops 0` put `nan` and `inf` tokens into `--json`, which
    /// no JSON parser reads (`python3 -m json.tool`: "Expecting value"). Now such a reference is a note and
    /// the JSON stays valid, with Manifold's side alone.
    @Test func aReferencePrintingNoPositiveRateLeavesValidJSON() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for value in ["nan", "0", "-3", "inf"] {
            let fake = try standInPython(in: root, printing: Array(repeating: "gflops \(value)", count: 5))
            let bench = try ManifoldBinary.run(
                ["bench", "gemm", "--threads", "1", "--rounds", "1", "--no-numpy", "--python", fake, "--json"])
            #expect(bench.status == 0, "\(bench.stderr)")
            let object = try JSONValue.parse(bench.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            let rows = object["gemm"]?.arrayValue ?? []
            #expect(rows.count == 5, "\(value)")
            for row in rows {
                #expect((row["gflops"]?.doubleValue ?? 0) > 0)
                #expect(row["torch_gflops"] == nil && row["ratio_to_fastest"] == nil, "\(value): \(row)")
            }
            let text = try ManifoldBinary.run(
                ["bench", "gemm", "--threads", "1", "--rounds", "1", "--no-numpy", "--python", fake])
            #expect(
                text.stdout.contains("pytorch: ") && text.stdout.contains("not a positive number"), "\(text.stdout)")
        }
    }

    /// Bug: `--json` left out why a reference was not measured: with `--python /nonexistent/python` the object
    /// had no `torch_gflops` and no word why, where the table said "pytorch: ... exited with status 127".
    @Test func theJSONSaysWhichReferenceIsMissingAndWhy() throws {
        let bench = try ManifoldBinary.run(
            [
                "bench", "gemm", "--threads", "1", "--rounds", "1", "--no-numpy", "--python", "/nonexistent/python",
                "--json",
            ])
        #expect(bench.status == 0, "\(bench.stderr)")
        let object = try JSONValue.parse(bench.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(object["torch_note"]?.stringValue?.contains("/nonexistent/python") == true, "\(bench.stdout)")
        #expect(object["numpy_note"] == nil)
        #expect((object["gemm"]?.arrayValue ?? []).allSatisfy { $0["torch_gflops"] == nil && $0["gflops"] != nil })
    }
}

/// An executable script in `root` that prints `lines` whatever its arguments: a stand-in for a python
/// with torch, so the parsing and the arithmetic of a benchmark's PyTorch side can be checked anywhere.
func standInPython(in root: String, printing lines: [String]) throws -> String {
    try standInPython(in: root, script: lines.map { "echo \($0)\n" }.joined())
}

/// An executable `/bin/sh` script in `root` running `body` (which may read the arguments, `$1` being the
/// benchmark's script): a stand-in python that answers only when it is called as expected.
func standInPython(in root: String, script body: String) throws -> String {
    let path = root + "/fake-python"
    try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
}
