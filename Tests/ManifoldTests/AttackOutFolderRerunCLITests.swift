import Base
import Foundation
import Testing

/// A second `attack --out DIR` into the folder of an earlier one: the folder then holds the second
/// attack's result alone.
@Suite(.serialized) struct AttackOutFolderRerunCLITests {
    let small = ["--epochs", "1", "--train-limit", "64", "--test-limit", "16", "--batch", "16", "--quiet"]

    /// The rows of `results.csv` in `folder` (after its header).
    func rows(_ folder: String) throws -> [String] {
        let text = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8)
        return Array(text.split(separator: "\n").dropFirst().map(String.init))
    }

    /// Bug: a second attack into the `--out` folder of an earlier one left the earlier one's files that it did
    /// not write itself: after `--n 5`, `--n 2` left 00002-00004's PNGs of the first attack beside a
    /// `results.csv` of two rows, and a uap run's `uap-perturbation.png`, or a `--target all --compare` run's
    /// grids, stayed beside a later attack's files, one folder that read as one result. The earlier
    /// attack's files are removed now; a file of the user's own there stays.
    @Test func aSecondAttackReplacesTheFirstOnesFiles() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns([["mlp", "--run", "c"], ["mlp", "--run", "d", "--seed", "1"]], options: small, runsRoot: root)
        let out = "\(root)/adv"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        func attack(_ arguments: [String]) throws {
            let result = try ManifoldBinary.run(
                ["attack"] + arguments + ["--run", "c", "--out", out, "--quiet"]
                    + (arguments.contains("all") ? [] : ["--sanity-n", "0"]), runsRoot: root)
            try #require(result.status == 0, "\(arguments): \(result.stderr)")
        }
        func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: out).sorted() }
        let images = { (count: Int) in
            (0..<count).flatMap { index in
                ["clean", "adversarial", "perturbation"].map { String(format: "%05d-%@.png", index, $0) }
            }
        }

        try attack(["uap", "--n", "5"])
        #expect(try listing() == (images(5) + ["notes.txt", "results.csv", "uap-perturbation.png"]).sorted())
        try attack(["fgsm", "--n", "2"])
        #expect(try listing() == (images(2) + ["notes.txt", "results.csv"]).sorted())
        #expect(try rows(out).count == 2)

        try attack(["pgd", "--target", "all", "--compare", "d", "--n", "1", "--steps", "1"])
        #expect(
            try listing()
                == [
                    "notes.txt", "target-grid-compare.png", "target-grid-side-by-side.png", "target-grid.png",
                    "target-sweep-compare.csv", "target-sweep.csv",
                ])
        try attack(["pgd", "--target", "all", "--n", "1", "--steps", "1"])
        #expect(try listing() == ["notes.txt", "target-grid.png", "target-sweep.csv"])
        try attack(["fgsm", "--n", "1"])
        #expect(try listing() == (images(1) + ["notes.txt", "results.csv"]).sorted())
        #expect(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8) == "mine")
    }
}
