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

    /// A recorded folder is removed when it is empty once the recorded files are gone, and kept otherwise.
    @Test func removeAllRemovesTheRecordedFoldersLeftEmpty() throws {
        let files = TemporaryFiles()
        let base = NSTemporaryDirectory() + "manifold-temporary-folders-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let (empty, saved) = (base + "/empty", base + "/saved")
        for folder in [base, empty, saved] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            files.addFolder(folder)
        }
        files.add(empty + "/.a.tmp-1")
        try Data("x".utf8).write(to: URL(fileURLWithPath: empty + "/.a.tmp-1"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: saved + "/config.json"))
        files.removeAll()
        #expect(!FileManager.default.fileExists(atPath: empty) && files.folders.isEmpty)
        #expect(FileManager.default.fileExists(atPath: saved + "/config.json"))
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
