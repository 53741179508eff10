import Foundation
import Testing

@testable import Base

/// The record of temporary folders that Ctrl-C removes before the process ends.
@Suite struct TemporaryFoldersTests {
    @Test func removeAllRemovesEveryRecordedFolderWithItsFiles() throws {
        let folders = TemporaryFolders()
        let base = NSTemporaryDirectory() + "manifold-temporary-folders-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let (kept, removedByOwner) = (base + "/a/nested", base + "/b")
        try folders.create(kept)
        try folders.create(removedByOwner)
        try Data("x".utf8).write(to: URL(fileURLWithPath: kept + "/file"))
        #expect(folders.paths == [kept, removedByOwner])
        folders.remove(removedByOwner)
        #expect(folders.paths == [kept] && !FileManager.default.fileExists(atPath: removedByOwner))
        folders.removeAll()
        #expect(folders.paths.isEmpty && !FileManager.default.fileExists(atPath: kept))
    }

    @Test func aFolderThatCannotBeMadeIsNotRecorded() throws {
        let folders = TemporaryFolders()
        let file = NSTemporaryDirectory() + "manifold-temporary-file-\(UUID().uuidString)"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: (any Error).self) { try folders.create(file + "/below") }
        #expect(folders.paths.isEmpty)
    }
}
