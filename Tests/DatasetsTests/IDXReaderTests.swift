import Foundation
import Testing

@testable import Datasets

@Suite struct IDXReaderTests {
    @Test func parsesRawAndGzip() throws {
        let images = idxBytes([3, 2, 4])
        let raw = try IDXReader.decode(images, source: "i")
        #expect(raw.dimensions == [3, 2, 4])
        #expect(raw.bytes == Array(images[16...]))
        #expect(try IDXReader.decode(gzip(images), source: "i.gz") == raw)
        let labels = try IDXReader.decode(idxBytes([5], payload: [0, 1, 2, 9, 4]), source: "l")
        #expect(labels == IDXArray(dimensions: [5], bytes: [0, 1, 2, 9, 4]))
        #expect(try IDXReader.decode(idxBytes([0, 28, 28]), source: "e").bytes.isEmpty)
    }

    @Test func readsFilesFromDisk() throws {
        let folder = try makeTemporaryFolder("idx")
        defer { removeFolder(folder) }
        try writeFile(idxBytes([2, 3]), to: folder + "/a")
        try writeFile(gzip(idxBytes([2, 3])), to: folder + "/a.gz")
        #expect(try IDXReader.read(path: folder + "/a") == IDXReader.read(path: folder + "/a.gz"))
        let missing = datasetErrorMessage { _ = try IDXReader.read(path: folder + "/none") }
        #expect(missing == "\(folder)/none: cannot read: No such file or directory")
        let directory = datasetErrorMessage { _ = try IDXReader.read(path: folder) }
        #expect(directory == "\(folder): cannot read: not a regular file")
    }

    /// Bug: a named pipe in place of a data file waited for a writer (a hang, to the user) and was then
    /// refused as "not a regular file". It is read to its end, raw or gzip, as a file is.
    @Test func readsANamedPipeToItsEnd() throws {
        let folder = try makeTemporaryFolder("idx-fifo")
        defer { removeFolder(folder) }
        let bytes = idxBytes([300, 28, 28])
        for (name, written) in [("raw", bytes), ("gz", gzip(bytes))] {
            let fifo = folder + "/" + name
            try #require(mkfifo(fifo, 0o600) == 0)
            let writer = Thread {
                let fd = open(fifo, O_WRONLY)
                guard fd >= 0 else { return }
                var offset = 0
                while offset < written.count {
                    let n = written[offset...].withUnsafeBytes { write(fd, $0.baseAddress!, min($0.count, 4096)) }
                    if n <= 0 { break }
                    offset += n
                }
                close(fd)
            }
            writer.start()
            let read = try IDXReader.read(path: fifo)
            #expect(read.dimensions == [300, 28, 28] && read.bytes == Array(bytes[16...]), "\(name)")
        }
    }

    /// Malformed inputs and a fragment of each one's message.
    static let malformed: [(String, [UInt8], String)] = [
        ("empty", [], "truncated: file holds 0 bytes, an IDX header needs 4"),
        ("short magic", [0, 0, 8], "truncated: file holds 3 bytes"),
        ("bad magic", [0x12, 0x34, 8, 1, 0, 0, 0, 0], "not an IDX file (magic number 12 34 08 01)"),
        ("float type", idxBytes([1], type: 0x0D), "element type 0x0d is not supported"),
        ("int type", idxBytes([1], type: 0x0C), "element type 0x0c is not supported"),
        ("no dimensions", [0, 0, 8, 0], "has 0 dimensions; 1 to 3 are supported"),
        ("four dimensions", idxBytes([1, 1, 1, 1]), "has 4 dimensions"),
        ("truncated dimensions", Array(idxBytes([2, 2, 2]).prefix(10)), "ends inside the IDX dimensions"),
        ("truncated payload", Array(idxBytes([2, 3, 3]).dropLast()), "need 18 data bytes, file holds 17"),
        ("trailing bytes", idxBytes([2, 3]) + [0], "longer than dimensions [2, 3] allow (18 bytes)"),
        ("overflowing dimensions", idxBytes([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: []), "exceed the limit"),
        ("too large", idxBytes([1024, 1024, 1024], payload: []), "exceed the limit of 536870912 bytes"),
        // Bug: the refusal named only the dimensions read before the limit was passed ("[100000000, 28]").
        (
            "too large early", idxBytes([100_000_000, 28, 28], payload: []),
            "IDX dimensions [100000000, 28, 28] exceed the limit"
        ),
        (
            "gz truncated payload", gzip(Array(idxBytes([4, 4]).dropLast(2))),
            "need 16 data bytes, decompressed data holds 14"
        ),
        ("gz trailing", gzip(idxBytes([4, 4]) + [1]), "decompressed data is longer than dimensions"),
        ("gz truncated stream", Array(gzip(idxBytes([64, 64])).dropLast(20)), "truncated gzip stream"),
    ]

    @Test(arguments: malformed.indices)
    func rejectsMalformed(index: Int) {
        let (label, bytes, fragment) = Self.malformed[index]
        let message = datasetErrorMessage { _ = try IDXReader.decode(bytes, source: "bad-idx") }
        #expect(message?.hasPrefix("bad-idx: ") == true, "\(label): \(message ?? "accepted")")
        #expect(message?.contains(fragment) == true, "\(label): \(message ?? "accepted")")
    }

    /// Bug: a labels file in place of images (magic 00 00 08 01) was refused as "longer than dimensions [300]
    /// allow", and an images file in place of labels read its first pixels as dimensions ("IDX dimensions
    /// [300, 34144516, 17237767] exceed the limit"). The header's rank is checked against the file's role.
    @Test func aFileOfTheOtherRoleIsNamedFromItsHeader() {
        let labels = idxBytes([3], payload: [0, 1, 2])
        let images = idxBytes([3, 2, 2])
        let asImages = datasetErrorMessage { _ = try IDXReader.decode(labels, source: "t", expected: .images) }
        #expect(
            asImages
                == "t: its IDX header (magic number 00 00 08 01) has 1 dimension, but images [count, height, width] need 3"
        )
        let asLabels = datasetErrorMessage { _ = try IDXReader.decode(gzip(images), source: "l", expected: .labels) }
        #expect(asLabels == "l: its IDX header (magic number 00 00 08 03) has 3 dimensions, but labels [count] needs 1")
        #expect(throws: Never.self) { try IDXReader.decode(images, source: "i", expected: .images) }
        #expect(throws: Never.self) { try IDXReader.decode(labels, source: "l", expected: .labels) }
    }

    @Test func gzipBombBehindAValidHeaderIsRefusedEarly() throws {
        // The header promises 1 x 1000 x 1000 bytes; the stream inflates to 64 MiB.
        var payload = idxBytes([1, 1000, 1000], payload: [])
        payload += [UInt8](repeating: 0, count: 64 << 20)
        let bomb = gzip(payload, level: 9)
        let message = datasetErrorMessage { _ = try IDXReader.decode(bomb, source: "bomb.gz") }
        #expect(message == "bomb.gz: decompressed data is longer than dimensions [1, 1000, 1000] allow (1000016 bytes)")
    }
}
