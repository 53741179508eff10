import CZlib

/// Inflates a gzip (or zlib) stream with the system zlib, handing out the output in pieces so the
/// caller can stop at any size.
///
/// A cap on the *output* is what defeats a decompression bomb: deflate reaches about 1000:1, so a small
/// file can claim gigabytes. The output buffer grows only as data actually arrives, and `read` never
/// inflates more than it was asked for.
public final class GzipReader {
    /// Names the file in error messages.
    public let source: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private var finished = false

    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Prepares to inflate `compressed` (gzip or zlib, detected from its header).
    /// - Throws: `DatasetError.corrupt` if zlib cannot be initialized.
    public init(compressed: [UInt8], source: String) throws {
        self.source = source
        consumed = 0
        total = compressed.count
        input = UnsafeMutableBufferPointer.allocate(capacity: max(compressed.count, 1))
        _ = input.initialize(from: compressed)
        // zlib keeps a pointer back to the z_stream, so it needs a stable address.
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        stream.pointee.next_in = input.baseAddress
        stream.pointee.avail_in = 0
        let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw DatasetError.corrupt(path: source, reason: "zlib inflateInit2 failed (\(status))")
        }
    }

    private var consumed: Int
    private let total: Int

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    /// Inflates up to `maxCount` more bytes; fewer come back only at the end of the stream.
    ///
    /// Concatenated gzip members (as `cat a.gz b.gz` makes) are inflated one after another; zero
    /// padding after the last member is ignored.
    /// - Throws: `DatasetError.corrupt` for a damaged or truncated stream.
    public func read(maxCount: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(maxCount, 1 << 20))
        let chunkSize = 1 << 16
        // Sized to the request: many small reads must not each allocate a full chunk.
        var chunk = [UInt8](repeating: 0, count: min(chunkSize, max(maxCount, 1)))
        while output.count < maxCount, !finished {
            let want = min(chunk.count, maxCount - output.count)
            let available = min(total - consumed, Int(UInt32.max))
            stream.pointee.next_in = input.baseAddress! + consumed
            stream.pointee.avail_in = UInt32(available)
            let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(want)
                return inflate(stream, Z_NO_FLUSH)
            }
            consumed += available - Int(stream.pointee.avail_in)
            output.append(contentsOf: chunk[0..<(want - Int(stream.pointee.avail_out))])
            switch status {
            case Z_STREAM_END:
                let rest = input[consumed..<total]
                if rest.count >= 2, rest[consumed] == 0x1F, rest[consumed + 1] == 0x8B {
                    guard inflateReset(stream) == Z_OK else {
                        throw DatasetError.corrupt(path: source, reason: "zlib inflateReset failed")
                    }
                } else if rest.contains(where: { $0 != 0 }) {
                    throw DatasetError.corrupt(
                        path: source, reason: "\(rest.count) unexpected bytes after the gzip stream")
                } else {
                    finished = true
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress was possible with output space left: the input ended before the stream did.
                throw DatasetError.corrupt(path: source, reason: "truncated gzip stream")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw DatasetError.corrupt(path: source, reason: "corrupt gzip stream: \(message)")
            }
        }
        return output
    }

    /// Compressed bytes consumed so far (tests use it to show a bomb is not inflated in full).
    var inputConsumed: Int { consumed }

    /// Whether the whole stream has been inflated.
    public var isAtEnd: Bool { finished }

    /// Inflates all of `compressed`, refusing output larger than `maxOutput` bytes.
    ///
    /// At most `maxOutput + 1` bytes are ever inflated, so a bomb costs no more than the cap.
    /// - Throws: `DatasetError.tooLarge` past the cap, `DatasetError.corrupt` for a damaged stream.
    public static func decompress(_ compressed: [UInt8], maxOutput: Int, source: String) throws -> [UInt8] {
        let reader = try GzipReader(compressed: compressed, source: source)
        let output = try reader.read(maxCount: maxOutput + 1)
        if output.count > maxOutput {
            throw DatasetError.tooLarge(
                path: source, reason: "decompressed size exceeds the limit of \(maxOutput) bytes")
        }
        return output
    }
}
