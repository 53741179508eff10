import CZlib

/// Decompresses gzip (or zlib) data with the system zlib, as a stream with a cap on the output.
///
/// The cap on *output* is what defeats a decompression bomb: deflate reaches about 1000:1, so a small
/// file can claim gigabytes. Output grows in chunks only as data actually arrives, and inflation stops
/// as soon as it passes `maxOutput`.
public enum GzipReader {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates the gzip (or zlib) stream in `compressed`.
    ///
    /// Concatenated gzip members (as `cat a.gz b.gz` makes) are inflated one after another.
    /// - Parameters:
    ///   - compressed: the whole compressed file.
    ///   - maxOutput: the largest decompressed size accepted, in bytes.
    ///   - source: names the file in error messages.
    /// - Returns: the decompressed bytes.
    /// - Throws: `DatasetError.corrupt` for a damaged or truncated stream, `DatasetError.tooLarge`
    ///   when the output would exceed `maxOutput`.
    public static func decompress(_ compressed: [UInt8], maxOutput: Int, source: String) throws -> [UInt8] {
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw DatasetError.corrupt(path: source, reason: "zlib inflateInit2 failed (\(initStatus))")
        }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        return try compressed.withUnsafeBufferPointer { input -> [UInt8] in
            var consumed = 0
            while true {
                let remaining = input.count - consumed
                let available = UInt32(min(remaining, Int(UInt32.max)))
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                stream.avail_in = available
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                consumed += Int(available - stream.avail_in)
                let produced = chunkSize - Int(stream.avail_out)
                if output.count + produced > maxOutput {
                    throw DatasetError.tooLarge(
                        path: source, reason: "decompressed size exceeds the limit of \(maxOutput) bytes")
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow; trailing zero padding is tolerated.
                    let rest = input[consumed...]
                    if rest.count >= 2, rest[rest.startIndex] == 0x1F, rest[rest.startIndex + 1] == 0x8B {
                        guard inflateReset(&stream) == Z_OK else {
                            throw DatasetError.corrupt(path: source, reason: "zlib inflateReset failed")
                        }
                        continue
                    }
                    if rest.contains(where: { $0 != 0 }) {
                        throw DatasetError.corrupt(path: source, reason: "\(rest.count) unexpected bytes after the gzip stream")
                    }
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: the input ended before the stream did.
                    if stream.avail_in == 0 {
                        throw DatasetError.corrupt(path: source, reason: "truncated gzip stream")
                    }
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DatasetError.corrupt(path: source, reason: "corrupt gzip stream: \(message)")
                }
            }
        }
    }
}
