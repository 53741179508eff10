import Foundation
import Testing

/// Bug: a folder standing where `attack --out DIR` writes `results.csv` (or `defend purify --out` its
/// `purified.png`) was found only after the work, exit 1; `attack` had written its per-image PNGs by then.
/// Refused before any work now, exit 2, nothing written.
struct OutputFileInTheWayTests {
    @Test func aFolderWhereAFileGoesIsRefusedBeforeTheWork() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("c", root: root)
        let out = "\(root)/out"
        try FileManager.default.createDirectory(atPath: out + "/results.csv", withIntermediateDirectories: true)
        let attacked = try ManifoldBinary.run(
            ["attack", "fgsm", "--run", "c", "--n", "2", "--out", out], runsRoot: root)
        expectOneLine(
            attacked, status: 2, "option '--out': '\(out)/results.csv' is a folder, where a file is written", "attack")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["results.csv"])
        let sweep = "\(root)/sweep"
        try FileManager.default.createDirectory(atPath: sweep + "/target-grid.png", withIntermediateDirectories: true)
        let swept = try ManifoldBinary.run(
            ["attack", "pgd", "--run", "c", "--target", "all", "--n", "2", "--out", sweep], runsRoot: root)
        expectOneLine(swept, status: 2, "'\(sweep)/target-grid.png' is a folder", "--target all")
        let purify = "\(root)/purify"
        try FileManager.default.createDirectory(atPath: purify + "/purified.png", withIntermediateDirectories: true)
        let purified = try ManifoldBinary.run(
            ["defend", "purify", "--with", "c", "--classifier", "c", "--out", purify], runsRoot: root)
        expectOneLine(purified, status: 2, "'\(purify)/purified.png' is a folder", "defend purify")
    }
}
