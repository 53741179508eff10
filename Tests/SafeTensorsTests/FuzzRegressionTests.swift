import Base
import Foundation
import Testing

@testable import SafeTensors

/// Every file of the safetensors fuzz corpus (seeds and inputs that once crashed or hung the fuzzer,
/// see Tests/Fuzz/run-fuzzers.sh) replayed through the real parser: each must decode or throw a
/// one-line `SafeTensorsError`, never trap.
@Suite struct SafeTensorsFuzzRegressionTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/safetensors").path

    @Test func replaysCorpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).sorted()
        #expect(names.count >= 5)
        for name in names {
            let bytes = try FileIO.readAll(path: Self.corpus + "/" + name)
            do {
                let file = try SafeTensorsFormat.decode(bytes, source: name)
                let again = try SafeTensorsFormat.decode(try SafeTensorsFormat.encode(file), source: name)
                #expect(again.entries.count == file.entries.count, "\(name)")
            } catch let error as SafeTensorsError {
                #expect(!error.description.contains("\n"), "\(name): \(error)")
            }
            if let json = try? JSONValue.parse(bytes) { _ = try? JSONValue.parse(json.serialized()) }
        }
    }

    @Test func staleTemporariesOfDeadWritersAreRemovedOthersKept() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A dead writer (pid 0x7FFF_FFF0 does not exist), a live one (us), and look-alikes that are data.
        let dead = ".model.safetensors.tmp-\(UInt64(0x7FFF_FFF0) << 32 | 12345)"
        let live = ".config.json.tmp-\(UInt64(getpid()) << 32 | 7)"
        let keep = ["model.safetensors", "notes.tmp-123", ".hidden", ".x.tmp-abc"]
        for name in [dead, live] + keep {
            #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data()))
        }
        #expect(FileIO.temporaryWriter(of: dead) == 0x7FFF_FFF0)
        #expect(FileIO.temporaryWriter(of: "model.safetensors") == nil)
        #expect(FileIO.removeStaleTemporaries(in: folder) == [dead])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(left == Set([live] + keep))
    }

    @Test func multiFileWriteStagesEverythingBeforeRenaming() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileIO.writeAtomically([(bytes: [1], path: folder + "/a"), (bytes: [2, 3], path: folder + "/b")])
        #expect(try FileIO.readAll(path: folder + "/a") == [1])
        #expect(try FileIO.readAll(path: folder + "/b") == [2, 3])
        // The second file cannot be staged: neither file changes and no temporary is left.
        #expect(throws: SafeTensorsError.self) {
            try FileIO.writeAtomically([(bytes: [9], path: folder + "/a"), (bytes: [9], path: folder + "/no/b")])
        }
        #expect(try FileIO.readAll(path: folder + "/a") == [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["a", "b"])
    }

    /// Bug: writing over a folder (`sample --out DIR`) failed with "cannot keep a copy: Operation not
    /// permitted", from the backup hard link; it now says the path is a directory, and leaves nothing.
    @Test func writingOverAFolderSaysItIsAFolder() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/out.png", withIntermediateDirectories: false)
        let error = #expect(throws: SafeTensorsError.self) {
            try FileIO.writeAtomically([1, 2], path: folder + "/out.png")
        }
        #expect(error?.description == folder + "/out.png: cannot replace: Is a directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.png"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out.png").isEmpty)
    }
}
