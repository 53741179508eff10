import Base
import Foundation
import Testing

/// `bench guidance --out DIR`: one grid file per row, named after the row's guide and strength.
@Suite(.serialized) struct GuidanceGridNamesCLITests {
    let small = ["--epochs", "1", "--train-limit", "32", "--test-limit", "16", "--batch", "16", "--quiet"]

    /// Bug: a guide's grid was named after its run with `+`, `=` and `@` turned into `_`, and a strength by
    /// `%g` (six digits): guides `a+b` and `a_b`, or scales 1 and 1.0000001, wrote their rows to one file
    /// (`clf-a_b-s1.png`), the second over the first, and `--json` gave both rows that one `grid`. Each row
    /// now has its own file: the run's own name, the strength in as many digits as tell it apart.
    /// Bug: a second bench into the same `--out` folder left the first one's grids beside its own, a folder
    /// that read as one sweep over rows drawn with other settings; they are removed now, other files stay.
    @Test func everyRowHasItsOwnGrid() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [
                ["ddpm", "--net", "mlp", "--run", "plain"], ["mlp", "--run", "scorer"], ["mlp", "--run", "a+b"],
                ["mlp", "--run", "a_b", "--seed", "1"],
            ], options: small, runsRoot: root)
        let out = "\(root)/grids"
        let bench = try ManifoldBinary.run(
            [
                "bench", "guidance", "--classifier", "scorer", "--ddpm", "plain", "--guide", "a+b,a_b", "--scales",
                "1,1.0000001", "--n", "1", "--steps", "2", "--test-limit", "16", "--out", out, "--json",
            ], runsRoot: root)
        try #require(bench.status == 0, "\(bench.stderr)")
        let object = try JSONValue.parse(bench.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let grids = try #require(object["rows"]?.arrayValue).compactMap { $0["grid"]?.stringValue }
        #expect(
            grids == [
                "\(out)/clf-a+b-s1.png", "\(out)/clf-a+b-s1.0000001.png", "\(out)/clf-a_b-s1.png",
                "\(out)/clf-a_b-s1.0000001.png",
            ], "\(grids)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(written == grids.map { String($0.dropFirst(out.count + 1)) }.sorted(), "\(written)")
        for grid in grids where FileManager.default.fileExists(atPath: grid) {
            // A row of one sample for each of the ten classes: 1 x 10 tiles of 28 pixels and 1-pixel gaps.
            let size = try pngSize(grid)
            #expect(size.width == 30 && size.height == 291, "\(grid): \(size)")
        }

        // A second bench into the same folder: its grids alone, none of the first one's rows beside them.
        try FileManager.default.createDirectory(atPath: out + "/mine", withIntermediateDirectories: true)
        let again = try ManifoldBinary.run(
            [
                "bench", "guidance", "--classifier", "scorer", "--ddpm", "plain", "--guide", "a_b", "--scales", "1",
                "--n", "1", "--steps", "2", "--test-limit", "16", "--out", out, "--json",
            ], runsRoot: root)
        try #require(again.status == 0, "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["clf-a_b-s1.png", "mine"])
    }
}
