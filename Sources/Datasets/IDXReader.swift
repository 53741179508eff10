#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The contents of an IDX file: its dimensions (outermost first) and its unsigned bytes, row-major.
public struct IDXArray: Sendable, Equatable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    public init(dimensions: [Int], bytes: [UInt8]) {
        self.dimensions = dimensions
        self.bytes = bytes
    }
}

/// Reads the IDX format of MNIST and its relatives (LeCun et al. 1998): the magic number
/// `00 00 08 n`, n big-endian 32-bit dimensions, then the unsigned bytes. Raw or gzip-compressed.
///
/// Files are untrusted input: only type 0x08 (unsigned byte) with 1 to 3 dimensions is accepted, the
/// dimensions are multiplied with overflow checks, the size is capped before anything is allocated,
/// and the payload must be exactly `4 + 4*n + product(dimensions)` bytes. A gzip file is inflated only
/// up to that size plus one byte, so a decompression bomb is refused early.
public enum IDXReader {
    /// The largest IDX payload accepted (512 MiB).
    public static let maximumSize = 512 << 20

    /// What a file must hold: its number of dimensions and, for errors, what it is ("images [count,
    /// height, width]"). Checked from the header, before the dimensions are read: a labels file in place
    /// of images otherwise read as dimensions the bytes after its header.
    public struct Expected: Sendable {
        public let rank: Int
        public let contents: String
        public init(rank: Int, contents: String) { (self.rank, self.contents) = (rank, contents) }
        public static let images = Expected(rank: 3, contents: "images [count, height, width]")
        public static let labels = Expected(rank: 1, contents: "labels [count]")
    }

    /// Reads the IDX file at `path`, gzip-compressed or not (detected by the magic bytes 1f 8b).
    /// - Throws: `DatasetError` naming `path`.
    public static func read(path: String, expected: Expected? = nil) throws -> IDXArray {
        try decode(try readFile(path: path, maximumSize: maximumSize), source: path, expected: expected)
    }

    /// Decodes IDX `bytes`, raw or gzip; `source` names the file in errors.
    /// - Throws: `DatasetError` naming `source`.
    public static func decode(_ bytes: [UInt8], source: String, expected: Expected? = nil) throws -> IDXArray {
        if GzipReader.isGzip(bytes) {
            let reader = try GzipReader(compressed: bytes, source: source)
            return try decode(source: source, compressed: true, expected: expected) { try reader.read(maxCount: $0) }
        }
        var offset = 0
        return try decode(source: source, compressed: false, expected: expected) { count in
            let end = offset + min(count, bytes.count - offset)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    /// Parses from `next(count)`, which returns up to `count` more bytes (fewer only at the end).
    static func decode(
        source: String, compressed: Bool, expected: Expected? = nil, next: (Int) throws -> [UInt8]
    ) throws -> IDXArray {
        let what = compressed ? "decompressed data" : "file"
        let magic = try next(4)
        guard magic.count == 4 else {
            throw DatasetError.corrupt(
                path: source, reason: "truncated: \(what) holds \(magic.count) bytes, an IDX header needs 4")
        }
        guard magic[0] == 0, magic[1] == 0 else {
            throw DatasetError.corrupt(path: source, reason: "not an IDX file (magic number \(hex(magic)))")
        }
        guard magic[2] == 0x08 else {
            throw DatasetError.corrupt(
                path: source,
                reason: "IDX element type 0x\(hex([magic[2]])) is not supported (only 0x08, unsigned byte)")
        }
        let rank = Int(magic[3])
        guard (1...3).contains(rank) else {
            throw DatasetError.corrupt(path: source, reason: "IDX file has \(rank) dimensions; 1 to 3 are supported")
        }
        if let expected, rank != expected.rank {
            throw DatasetError.corrupt(
                path: source,
                reason: "its IDX header (magic number \(hex(magic))) has \(rank) dimension\(rank == 1 ? "" : "s"), but "
                    + "\(expected.contents) need\(expected.rank == 1 ? "s" : "") \(expected.rank)")
        }
        let dimensionBytes = try next(4 * rank)
        guard dimensionBytes.count == 4 * rank else {
            throw DatasetError.corrupt(path: source, reason: "truncated: \(what) ends inside the IDX dimensions")
        }
        let dimensions = (0..<rank).map { d in
            (0..<4).reduce(0) { value, k in value << 8 | Int(dimensionBytes[4 * d + k]) }
        }
        // Every dimension is read before the size is checked, so a refusal names them all (it named those
        // read before the limit was passed: "[100000000, 28]" of [100000000, 28, 28]).
        var count = 1
        for value in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: value)
            let headerSize = 4 + 4 * rank
            if overflow || product > maximumSize - headerSize {
                throw DatasetError.tooLarge(
                    path: source, reason: "IDX dimensions \(dimensions) exceed the limit of \(maximumSize) bytes")
            }
            count = product
        }
        let payload = try next(count)
        guard payload.count == count else {
            throw DatasetError.corrupt(
                path: source,
                reason: "truncated: dimensions \(dimensions) need \(count) data bytes, \(what) holds \(payload.count)")
        }
        let extra = try next(1)
        guard extra.isEmpty else {
            throw DatasetError.corrupt(
                path: source,
                reason: "\(what) is longer than dimensions \(dimensions) allow (\(4 + 4 * rank + count) bytes)")
        }
        return IDXArray(dimensions: dimensions, bytes: payload)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
    }

    /// Reads a whole regular file, refusing files larger than `maximumSize`. A named pipe is read to its end
    /// (as `cat` reads one: the open waits for its writer, and Ctrl-C ends the wait); where it was refused
    /// as "not a regular file" once a writer came, after a wait that looked like a hang.
    static func readFile(path: String, maximumSize: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFIFO { return try readStream(fd, path: path, maximumSize: maximumSize) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DatasetError.unreadable(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= maximumSize + 4 + 4 * 3 else {
            throw DatasetError.tooLarge(
                path: path, reason: "file of \(size) bytes exceeds the limit of \(maximumSize) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                done += n
            }
        }
        guard done == size else { throw DatasetError.unreadable(path: path, reason: "file shrank while reading") }
        return bytes
    }

    /// Reads `fd` (a named pipe) to its end, refusing more than `maximumSize` bytes of data.
    private static func readStream(_ fd: Int32, path: String, maximumSize: Int) throws -> [UInt8] {
        let limit = maximumSize + 4 + 4 * 3
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DatasetError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count <= limit else {
                throw DatasetError.tooLarge(path: path, reason: "pipe of more than \(limit) bytes exceeds the limit")
            }
        }
    }
}
