import Foundation
import Testing

/// `sample --out` names a file that is written by renaming a new file into place, so it must be a new name or
/// a regular file: renaming over anything else (a device such as /dev/null, a pipe, a link such as
/// /dev/stdout) would replace that thing instead of writing into it.
@Suite(.serialized) struct SampleOutSpecialFileCLITests {
    /// Bug: `sample --out` accepted any path that was not a folder. Run as root (a container, CI), `--out
    /// /dev/null` or `--out /dev/stdout` renamed the PNG over the device or its link, leaving a regular file
    /// where /dev/null or /dev/stdout had been for every program on the machine; a FIFO or a symlink of the
    /// user's was replaced the same way. Each is a usage error now (exit 2, one line naming it), before
    /// anything is sampled, and the thing named is left as it was.
    @Test func anOutThatIsNotARegularFileIsAUsageError() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainRuns(
            [["vae", "--run", "v"]],
            options: ["--epochs", "1", "--train-limit", "100", "--test-limit", "20", "--quiet"],
            runsRoot: root)
        let fifo = root + "/fifo.png"
        try #require(mkfifo(fifo, 0o600) == 0)
        let target = root + "/target.png"
        try Data("kept".utf8).write(to: URL(fileURLWithPath: target))
        let link = root + "/link.png"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for (path, kind) in [(fifo, "a pipe"), (link, "a symbolic link")] {
            let result = try ManifoldBinary.run(
                ["sample", "prior", "--run", "v", "--n", "4", "--no-scores", "--out", path], runsRoot: root,
                timeout: 120)
            expectOneLine(result, status: 2, "option '--out': '\(path)' is \(kind)", path)
            var status = stat()
            #expect(lstat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG, "\(path) was replaced")
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "kept")
    }
}
