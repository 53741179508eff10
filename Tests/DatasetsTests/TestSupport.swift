import CZlib
import Foundation

@testable import Datasets

/// Gzip-compresses `bytes` with zlib's deflate (window bits 15 + 16 selects the gzip wrapper).
func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(
        &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2 failed")
    defer { deflateEnd(&stream) }
    var input = bytes
    let bound = Int(deflateBound(&stream, UInt(bytes.count)))
    var output = [UInt8](repeating: 0, count: bound)
    input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = UInt32(outBuffer.count)
            let result = deflate(&stream, Z_FINISH)
            precondition(result == Z_STREAM_END, "deflate did not finish")
        }
    }
    return Array(output[0..<Int(stream.total_out)])
}

/// An IDX file of unsigned bytes with the given dimensions; `payload` defaults to a counting pattern.
func idxBytes(_ dimensions: [Int], payload: [UInt8]? = nil, type: UInt8 = 0x08) -> [UInt8] {
    var out: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions {
        out += [
            UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16), UInt8(truncatingIfNeeded: d >> 8),
            UInt8(truncatingIfNeeded: d),
        ]
    }
    if let payload {
        out += payload
    } else {
        out += (0..<dimensions.reduce(1, *)).map { UInt8(truncatingIfNeeded: $0 * 7) }
    }
    return out
}

/// A fresh empty folder under the system temporary directory; removed by the caller.
func makeTemporaryFolder(_ label: String = "datasets") throws -> String {
    let path = NSTemporaryDirectory() + "\(label)-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeFile(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Runs `body` and returns the description of the `DatasetError` it throws, or nil if it did not throw one.
func datasetErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as DatasetError {
        return error.description
    } catch {
        return "unexpected error type: \(error)"
    }
}

func removeFolder(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
