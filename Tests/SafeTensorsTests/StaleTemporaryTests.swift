import Foundation
import SafeTensors
import Testing

/// A writer killed by SIGKILL leaves its temporary (`.NAME.tmp-N`, half written) beside the file it was
/// writing. In a run folder it is removed when the run is next opened; an `--out` folder or a PNG's folder is
/// no run, so the next write of the same file removes it.
@Suite struct StaleTemporaryTests {
    /// Bug: `attack --out DIR` killed by SIGKILL while writing left `.00062-adversarial.png.tmp-N` in DIR, and
    /// running the attack into DIR again (or `sample --out` to the same PNG) left it there for good.
    @Test func writingAFileRemovesTheTemporariesItsKilledWritersLeft() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A dead writer (pid 0x7FFF_FFF0 does not exist) of the file written, of another file, and a live one.
        let stale = ".a.png.tmp-\(UInt64(0x7FFF_FFF0) << 32 | 12345)"
        let otherFile = ".b.png.tmp-\(UInt64(0x7FFF_FFF0) << 32 | 7)"
        let live = ".a.png.tmp-\(UInt64(getpid()) << 32 | 9)"
        for name in [stale, otherFile, live] {
            #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([1, 2])))
        }
        try FileIO.writeAtomically([7], path: folder + "/a.png")
        #expect(try FileIO.readAll(path: folder + "/a.png") == [7])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(left == ["a.png", otherFile, live])
    }
}
