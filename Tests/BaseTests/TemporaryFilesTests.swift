import Foundation
import Testing

@testable import Base

/// The record of files being written that a signal removes before the process ends.
@Suite struct TemporaryFilesTests {
    @Test func removeAllUnlinksTheFilesStillRecorded() throws {
        let files = TemporaryFiles()
        let base = NSTemporaryDirectory() + "manifold-temporary-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let (writing, renamed, placed) = (base + "/.a.tmp-1", base + "/.b.tmp-2", base + "/b")
        for path in [writing, renamed] {
            files.add(path)
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        }
        #expect(files.commit(renamed) { rename(renamed, placed) } == 0)
        #expect(files.paths == [writing])
        files.removeAll()
        #expect(files.paths.isEmpty && !FileManager.default.fileExists(atPath: writing))
        #expect(FileManager.default.fileExists(atPath: placed))
    }

    /// A failed rename's errno reaches the caller.
    @Test func commitKeepsTheRenamesError() {
        let files = TemporaryFiles()
        let missing = NSTemporaryDirectory() + "manifold-missing-\(UUID().uuidString)"
        files.add(missing)
        #expect(files.commit(missing) { rename(missing, missing + "-placed") } == -1)
        #expect(errno == ENOENT && files.paths.isEmpty)
    }
}
