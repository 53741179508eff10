import CZlib
import Foundation
import Testing

@testable import Engine

@Suite struct PNGWriterTests {
    @Test func writesAValidGrayscalePNG() throws {
        let png = PNGWriter.encodeGray(width: 3, height: 2, values: [0, 0.5, 1, 1, 0.5, 0])
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
        #expect(Array(png[16..<24]) == [0, 0, 0, 3, 0, 0, 0, 2])
        #expect(String(decoding: png.suffix(8).prefix(4), as: UTF8.self) == "IEND")
        // The IDAT payload inflates back to filter bytes + pixels.
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        #expect(String(decoding: png[37..<41], as: UTF8.self) == "IDAT")
        let compressed = Array(png[41..<(41 + idatLength)])
        let inflated = try #require(inflateForTest(compressed, expected: 8))
        #expect(inflated == [0, 0, 128, 255, 0, 255, 128, 0])
    }

    /// Values outside [0, 1] are clamped, and a NaN is black instead of a trap.
    @Test func clampsAndDrawsNaNBlack() throws {
        let png = PNGWriter.encodeGray(width: 4, height: 1, values: [-1, .nan, .infinity, -.infinity])
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        let inflated = try #require(inflateForTest(Array(png[41..<(41 + idatLength)]), expected: 5))
        #expect(inflated == [0, 0, 0, 255, 0])
    }

    @Test func gridPlacesTilesWithGaps() {
        let grid = PNGWriter.grid(
            images: [[1, 1, 1, 1], [0, 0, 0, 0], [1, 0, 1, 0]], tileWidth: 2, tileHeight: 2, columns: 2)
        #expect(grid.width == 7 && grid.height == 7)
        #expect(grid.values[1 * 7 + 1] == 1)
        #expect(grid.values[1 * 7 + 4] == 0)
        #expect(grid.values[0] == 0.5)
    }
}

func inflateForTest(_ data: [UInt8], expected: Int) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: expected)
    var length = uLongf(expected)
    let status = data.withUnsafeBufferPointer { uncompress(&out, &length, $0.baseAddress, uLong(data.count)) }
    return status == Z_OK ? Array(out.prefix(Int(length))) : nil
}
