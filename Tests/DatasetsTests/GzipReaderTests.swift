import Testing

@testable import Datasets

@Suite struct GzipReaderTests {
    @Test func roundTripsAndDetectsMagic() throws {
        let original = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 31 + $0 / 7) }
        let compressed = gzip(original)
        #expect(GzipReader.isGzip(compressed))
        #expect(!GzipReader.isGzip(original))
        #expect(try GzipReader.decompress(compressed, maxOutput: original.count, source: "x.gz") == original)
    }

    @Test func concatenatedMembersAndEmptyInput() throws {
        let joined = gzip([1, 2, 3]) + gzip([4, 5])
        #expect(try GzipReader.decompress(joined, maxOutput: 100, source: "x.gz") == [1, 2, 3, 4, 5])
        #expect(try GzipReader.decompress(gzip([]), maxOutput: 0, source: "x.gz") == [])
    }

    @Test func bombIsStoppedAtTheCap() throws {
        // 64 MiB of zeros deflate to about 64 KiB: a 1000:1 bomb.
        let bomb = gzip([UInt8](repeating: 0, count: 64 << 20), level: 9)
        #expect(bomb.count < 200_000)
        let message = datasetErrorMessage { _ = try GzipReader.decompress(bomb, maxOutput: 1 << 20, source: "bomb.gz") }
        #expect(message == "bomb.gz: decompressed size exceeds the limit of 1048576 bytes")
        // Reading stops after cap + 1 bytes: most of the compressed input is never touched.
        let reader = try GzipReader(compressed: bomb, source: "bomb.gz")
        let head = try reader.read(maxCount: (1 << 20) + 1)
        #expect(head.count == (1 << 20) + 1)
        #expect(reader.inputConsumed < bomb.count / 4)
        #expect(!reader.isAtEnd)
    }

    @Test func truncatedAndCorruptStreams() {
        let compressed = gzip((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        for length in [2, 10, compressed.count / 2, compressed.count - 1] {
            let message = datasetErrorMessage {
                _ = try GzipReader.decompress(Array(compressed[..<length]), maxOutput: 1 << 20, source: "t.gz")
            }
            #expect(
                message == "t.gz: truncated gzip stream" || message?.hasPrefix("t.gz: corrupt gzip stream") == true,
                "length \(length): \(message ?? "accepted")")
        }
        var corrupt = compressed
        for i in 20..<60 { corrupt[i] ^= 0x5A }
        let corruptMessage = datasetErrorMessage {
            _ = try GzipReader.decompress(corrupt, maxOutput: 1 << 20, source: "c.gz")
        }
        #expect(corruptMessage?.hasPrefix("c.gz: corrupt gzip stream") == true, "\(corruptMessage ?? "accepted")")
        var badCRC = compressed
        badCRC[badCRC.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        let crcMessage = datasetErrorMessage {
            _ = try GzipReader.decompress(badCRC, maxOutput: 1 << 20, source: "crc.gz")
        }
        #expect(crcMessage?.contains("incorrect data check") == true, "\(crcMessage ?? "accepted")")
        let trailing = compressed + [1, 2, 3]
        let trailingMessage = datasetErrorMessage {
            _ = try GzipReader.decompress(trailing, maxOutput: 1 << 20, source: "g.gz")
        }
        #expect(trailingMessage == "g.gz: 3 unexpected bytes after the gzip stream")
    }
}
