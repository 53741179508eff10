import Base
import Foundation
import Testing

/// The files the commands write, read back: where they go for unusual `--out` paths, their names, and what
/// an `--out` folder holds after a second command wrote into it.
@Suite(.serialized) struct OutputFilesCLITests {
    static let tiny = ["--epochs", "1", "--train-limit", "64", "--test-limit", "16", "--batch", "16", "--quiet"]

    /// The built binary by an absolute path, for commands run in another folder.
    var binary: String {
        ManifoldBinary.path.hasPrefix("/")
            ? ManifoldBinary.path : FileManager.default.currentDirectoryPath + "/" + ManifoldBinary.path
    }

    /// Runs `manifold arguments` in `folder` (a relative `--out` is relative to it) under runs `root`.
    func run(_ arguments: [String], in folder: String, root: String) throws -> CommandResult {
        try ManifoldBinary.run(
            ["-c", "cd \"$0\" && exec \"$@\"", folder, binary] + arguments, runsRoot: root, executable: "/bin/sh")
    }

    /// Bug: a relative path with a folder named `~` (`--out '~/adv'`, which the shell leaves as it is when
    /// quoted or after `--out=`, or `--out 'a/~/b'`) crashed `attack`, `defend purify` and `bench guidance`
    /// with "Illegal instruction" (exit 132) after the attack had run, in Foundation's
    /// `deletingLastPathComponent`; `$MANIFOLD_RUNS` set to `x/~` crashed `train` and `runs` the same way.
    /// The folders are made as named, as for any other name.
    @Test func aFolderNamedTildeIsMadeAsNamed() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns([["mlp", "--run", "c"]], options: Self.tiny, runsRoot: root)
        let folder = temporaryFolder()
        defer { cleanup(folder) }
        for out in ["~", "~/adv", "a/~/b"] {
            let result = try run(
                ["attack", "fgsm", "--run", "c", "--n", "2", "--sanity-n", "0", "--out", out, "--quiet"], in: folder,
                root: root)
            #expect(result.status == 0, "--out \(out): \(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: "\(folder)/\(out)/results.csv"), "--out \(out)")
        }
        let runs = "\(folder)/x/~"
        let inFolder = try ManifoldBinary.run(
            ["-c", "cd \"$0\" && MANIFOLD_RUNS='x/~' exec \"$@\"", folder, binary, "train", "mlp", "--run", "d"]
                + Self.tiny, executable: "/bin/sh")
        #expect(inFolder.status == 0, "\(inFolder.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(runs)/d/model.safetensors"))
        let listed = try ManifoldBinary.run(
            ["-c", "cd \"$0\" && MANIFOLD_RUNS='x/~' exec \"$@\"", folder, binary, "runs"], executable: "/bin/sh")
        #expect(listed.status == 0 && listed.stdout.contains("d"), "\(listed.stderr)")
    }

    /// Bug: `attack spatial --out`'s results.csv gave the shifts as `-2.0` and `1.0`, where `--json`'s
    /// `transforms` gives the integers `-2` and `1`; counts (shifts, queries) are now written as integers.
    @Test func spatialShiftsAreIntegersInResultsCSVAsInJSON() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns([["mlp", "--run", "c"]], options: Self.tiny, runsRoot: root)
        let folder = temporaryFolder()
        defer { cleanup(folder) }
        let result = try run(
            ["attack", "spatial", "--run", "c", "--n", "3", "--sanity-n", "0", "--out", "sp", "--quiet"], in: folder,
            root: root)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: "\(folder)/sp/results.csv", encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let columns = try ["shift_x", "shift_y"].map { name in try #require(header.firstIndex(of: Substring(name))) }
        #expect(lines.count == 4)
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            for column in columns {
                #expect(Int(cells[column]) != nil, "\(header[column]) '\(cells[column])' in \(line)")
            }
        }
    }
}
