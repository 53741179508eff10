import Foundation
import Testing

@testable import Datasets

/// Every file of the IDX and gzip fuzz corpora (seeds and inputs that once crashed or hung the fuzzer,
/// see Tests/Fuzz/run-fuzzers.sh) replayed through the real readers, plus malformed gzip inputs with
/// their expected one-line errors (IDX cases live in IDXReaderTests).
@Suite struct DatasetsFuzzRegressionTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus").path

    static func corpus(_ name: String) throws -> [(String, [UInt8])] {
        let folder = corpusRoot + "/" + name
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { file in
            (file, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))))
        }
    }

    @Test func replaysIDXCorpus() throws {
        let files = try Self.corpus("idx")
        #expect(files.count >= 5)
        for (name, bytes) in files {
            do {
                let array = try IDXReader.decode(bytes, source: name)
                #expect(array.dimensions.reduce(1, *) == array.bytes.count, "\(name)")
            } catch let error as DatasetError {
                #expect(error.description.hasPrefix(name + ": ") && !error.description.contains("\n"), "\(error)")
            }
        }
    }

    @Test func replaysGzipCorpus() throws {
        let files = try Self.corpus("gzip")
        #expect(files.count >= 5)
        for (name, bytes) in files {
            do {
                let output = try GzipReader.decompress(bytes, maxOutput: 1 << 20, source: name)
                #expect(output.count <= 1 << 20)
            } catch let error as DatasetError {
                #expect(error.description.hasPrefix(name + ": ") && !error.description.contains("\n"), "\(error)")
            }
            if let reader = try? GzipReader(compressed: bytes, source: name) {
                var total = 0
                var piece = 1
                while total <= 1 << 16, let chunk = try? reader.read(maxCount: piece), !chunk.isEmpty {
                    #expect(chunk.count <= piece)
                    total += chunk.count
                    piece = piece % 977 + 13
                }
            }
        }
    }

    /// Malformed gzip input and the message each must give (a prefix or fragment), one line, no crash.
    static let malformedGzip: [(String, [UInt8], String)] = [
        ("magic only", [0x1F, 0x8B], "truncated gzip stream"),
        ("bad method", [0x1F, 0x8B, 0x07, 0, 0, 0, 0, 0, 0, 0x03], "corrupt gzip stream: unknown compression method"),
        ("reserved flags", [0x1F, 0x8B, 0x08, 0xE0, 0, 0, 0, 0, 0, 0x03, 0x03, 0], "corrupt gzip stream"),
        ("header only", Array(gzip([1, 2, 3]).prefix(10)), "truncated gzip stream"),
        ("missing trailer", Array(gzip([1, 2, 3]).dropLast(8)), "truncated gzip stream"),
        (
            "wrong length in trailer",
            {
                var g = gzip([1, 2, 3])
                g[g.count - 1] ^= 1
                return g
            }(), "incorrect length check"
        ),
        ("garbage after member", gzip([1]) + [0x1F, 0x8C, 1], "3 unexpected bytes after the gzip stream"),
        ("second member truncated", gzip([1]) + Array(gzip([2, 3]).prefix(12)), "truncated gzip stream"),
        ("zlib preset dictionary", [0x78, 0xBB, 0, 0, 0, 1], "corrupt gzip stream"),
        ("bomb over cap", gzip([UInt8](repeating: 0, count: 3 << 20), level: 9), "exceeds the limit of 1048576 bytes"),
    ]

    @Test(arguments: malformedGzip.indices)
    func rejectsMalformedGzip(index: Int) {
        let (label, bytes, fragment) = Self.malformedGzip[index]
        let message = datasetErrorMessage { _ = try GzipReader.decompress(bytes, maxOutput: 1 << 20, source: "bad.gz") }
        #expect(message?.hasPrefix("bad.gz: ") == true, "\(label): \(message ?? "accepted")")
        #expect(message?.contains(fragment) == true, "\(label): \(message ?? "accepted")")
        #expect(message?.contains("\n") == false, "\(label)")
    }

    /// IDX cases beyond IDXReaderTests' table: sizes claimed far beyond the bytes present must fail
    /// after reading only what is there (gzip included), never allocate what the header claims.
    @Test func claimedSizesBeyondTheDataAreRefusedCheaply() {
        let claimsHalfGig = idxBytes([512, 1024, 1023], payload: [1, 2, 3])
        let raw = datasetErrorMessage { _ = try IDXReader.decode(claimsHalfGig, source: "big") }
        #expect(raw == "big: truncated: dimensions [512, 1024, 1023] need 536346624 data bytes, file holds 3")
        let gz = datasetErrorMessage { _ = try IDXReader.decode(gzip(claimsHalfGig), source: "big.gz") }
        #expect(
            gz == "big.gz: truncated: dimensions [512, 1024, 1023] need 536346624 data bytes, decompressed data holds 3"
        )
        let signBit = datasetErrorMessage {
            _ = try IDXReader.decode(idxBytes([0x8000_0000], payload: []), source: "s")
        }
        #expect(signBit?.contains("exceed the limit") == true, "\(signBit ?? "accepted")")
        let zero = try? IDXReader.decode(idxBytes([0, 28, 28], payload: []), source: "z")
        #expect(zero?.dimensions == [0, 28, 28] && zero?.bytes.isEmpty == true)
    }
}
