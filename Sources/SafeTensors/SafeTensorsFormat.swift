import Base

/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length N,
/// N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}`,
/// then the raw little-endian tensor data.
///
/// A checkpoint is untrusted input: `decode` validates the whole header against the rules of
/// safetensors' own reader (`safetensors/src/tensor.rs`) before it converts any data, and every
/// violation is a `SafeTensorsError`, never a trap. Manifold writes F32; it reads F32, F64, F16 and
/// BF16 (converted to Float).
public enum SafeTensorsFormat {
    /// The largest header safetensors accepts (100 MB).
    public static let maximumHeaderLength = 100_000_000

    /// The element types safetensors defines, with their sizes in bytes (sub-byte types are not listed
    /// because Manifold reports them as unsupported without sizing them).
    static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
        "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4,
        "I64": 8, "U64": 8, "F64": 8,
    ]

    /// A validated header entry: everything needed to convert the tensor's bytes.
    struct TensorInfo {
        var name: String
        var dtype: String
        var shape: [Int]
        var elementCount: Int
        var begin: Int
        var end: Int
    }

    // MARK: Reading

    /// Reads and decodes the safetensors file at `path`.
    /// - Throws: `SafeTensorsError` naming `path` when the file cannot be read or is malformed.
    public static func read(path: String) throws -> SafeTensorsFile {
        let bytes = try FileIO.readAll(path: path)
        return try decode(bytes, source: path)
    }

    /// Decodes safetensors `bytes`; `source` names the file in error messages.
    /// - Throws: `SafeTensorsError` for any violation of the format; no data is converted until the
    ///   whole header has been validated.
    public static func decode(_ bytes: [UInt8], source: String) throws -> SafeTensorsFile {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooSmall(source: source, size: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maximumHeaderLength), Int(headerLength) <= bytes.count - 8 else {
            throw SafeTensorsError.headerLength(source: source, length: headerLength, fileSize: bytes.count)
        }
        let n = Int(headerLength)
        let dataStart = 8 + n
        let bufferLength = bytes.count - dataStart
        let (infos, metadata) = try parseHeader(Array(bytes[8..<dataStart]), bufferLength: bufferLength, source: source)

        var entries: [SafeTensorsEntry] = []
        entries.reserveCapacity(infos.count)
        bytes.withUnsafeBytes { raw in
            for info in infos {
                let slice = UnsafeRawBufferPointer(rebasing: raw[(dataStart + info.begin)..<(dataStart + info.end)])
                entries.append(
                    SafeTensorsEntry(
                        name: info.name, shape: info.shape,
                        values: convert(slice, dtype: info.dtype, count: info.elementCount)))
            }
        }
        return SafeTensorsFile(entries: entries, metadata: metadata)
    }

    /// Validates the header and returns the tensors in data order and the metadata.
    static func parseHeader(_ header: [UInt8], bufferLength: Int, source: String) throws -> (
        [TensorInfo], [String: String]
    ) {
        guard header.first == UInt8(ascii: "{") else {
            throw SafeTensorsError.invalidHeader(source: source, reason: "does not start with '{'")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(header)
        } catch let error as JSONError {
            throw SafeTensorsError.invalidHeader(source: source, reason: error.description)
        }
        guard case .object(let members) = json else {
            throw SafeTensorsError.invalidHeader(source: source, reason: "not a JSON object")
        }

        var metadata: [String: String] = [:]
        if let meta = members["__metadata__"] {
            guard case .object(let pairs) = meta else {
                throw SafeTensorsError.invalidHeader(source: source, reason: "__metadata__ is not an object")
            }
            for (key, value) in pairs {
                guard case .string(let s) = value else {
                    throw SafeTensorsError.invalidHeader(
                        source: source, reason: "__metadata__ value for '\(key)' is not a string")
                }
                metadata[key] = s
            }
        }

        var infos: [TensorInfo] = []
        for (name, value) in members where name != "__metadata__" {
            infos.append(try parseTensorInfo(name: name, value: value, source: source))
        }
        // Sort by offsets (then name for a deterministic order among empty tensors) and check the tiling.
        infos.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0
        for info in infos {
            if info.begin < expected {
                throw SafeTensorsError.invalidLayout(
                    source: source, reason: "tensor '\(info.name)' at byte \(info.begin) overlaps the previous tensor")
            }
            if info.begin > expected {
                throw SafeTensorsError.invalidLayout(
                    source: source, reason: "gap of \(info.begin - expected) bytes before tensor '\(info.name)'")
            }
            expected = info.end
        }
        if expected != bufferLength {
            let reason =
                expected > bufferLength
                ? "tensors end at byte \(expected) of a \(bufferLength)-byte data buffer"
                : "\(bufferLength - expected) trailing bytes after the last tensor"
            throw SafeTensorsError.invalidLayout(source: source, reason: reason)
        }
        for info in infos where !["F32", "F64", "F16", "BF16"].contains(info.dtype) {
            throw SafeTensorsError.unsupportedDType(source: source, tensor: info.name, dtype: info.dtype)
        }
        return (infos, metadata)
    }

    static func parseTensorInfo(name: String, value: JSONValue, source: String) throws -> TensorInfo {
        func bad(_ reason: String) -> SafeTensorsError {
            SafeTensorsError.invalidTensor(source: source, tensor: name, reason: reason)
        }
        guard case .object(let fields) = value else { throw bad("entry is not a JSON object") }
        guard case .string(let dtype)? = fields["dtype"] else { throw bad("missing or non-string dtype") }
        guard let size = dtypeSizes[dtype] else {
            throw SafeTensorsError.unsupportedDType(source: source, tensor: name, dtype: dtype)
        }
        guard case .array(let dims)? = fields["shape"] else { throw bad("missing or non-array shape") }
        var shape: [Int] = []
        var count = 1
        for dim in dims {
            guard case .integer(let d) = dim, d >= 0 else {
                throw bad(
                    "shape \(JSONValue.array(dims).serialized()) has a dimension that is not a non-negative integer")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            if overflow { throw bad("shape \(JSONValue.array(dims).serialized()) overflows the element count") }
            shape.append(d)
            count = product
        }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2,
            case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1], begin >= 0, end >= begin
        else { throw bad("data_offsets must be two non-negative integers [begin, end] with begin <= end") }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
        if overflow || end - begin != byteCount {
            throw bad(
                "data_offsets [\(begin), \(end)] hold \(end - begin) bytes but shape \(shape) of \(dtype) needs \(overflow ? "more than Int.max" : String(byteCount))"
            )
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, elementCount: count, begin: begin, end: end)
    }

    /// Converts `count` little-endian values of `dtype` (F32, F64, F16 or BF16) to Float.
    static func convert(_ raw: UnsafeRawBufferPointer, dtype: String, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch dtype {
            case "F32":
                for i in 0..<count {
                    out[i] = Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            case "F64":
                for i in 0..<count {
                    out[i] = Float(
                        Double(
                            bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
                    )
                }
            case "F16":
                for i in 0..<count {
                    out[i] = halfToFloat(
                        UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            default:  // BF16: the upper half of an F32.
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            }
            initialized = count
        }
    }

    /// IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24.
            let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }

    // MARK: Writing

    /// Encodes `file` as safetensors bytes: F32 little-endian data in entry order, the header's JSON
    /// padded with spaces to a multiple of 8 bytes, `__metadata__` present only when non-empty.
    /// - Throws: `SafeTensorsError.invalidTensor` for an empty or reserved name, a duplicate name, a
    ///   negative dimension, or a value count that does not match the shape.
    public static func encode(_ file: SafeTensorsFile) throws -> [UInt8] {
        let source = "<encode>"
        var header: [String: JSONValue] = [:]
        var offset = 0
        for entry in file.entries {
            func bad(_ reason: String) -> SafeTensorsError {
                SafeTensorsError.invalidTensor(source: source, tensor: entry.name, reason: reason)
            }
            if entry.name.isEmpty || entry.name == "__metadata__" { throw bad("reserved or empty name") }
            if header[entry.name] != nil { throw bad("duplicate name") }
            var count = 1
            for d in entry.shape {
                guard d >= 0 else { throw bad("negative dimension in shape \(entry.shape)") }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                if overflow { throw bad("shape \(entry.shape) overflows the element count") }
                count = product
            }
            if count != entry.values.count {
                throw bad("shape \(entry.shape) needs \(count) values, got \(entry.values.count)")
            }
            header[entry.name] = .object([
                "dtype": .string("F32"),
                "shape": .array(entry.shape.map { .integer($0) }),
                "data_offsets": .array([.integer(offset), .integer(offset + 4 * count)]),
            ])
            offset += 4 * count
        }
        if !file.metadata.isEmpty {
            header["__metadata__"] = .object(file.metadata.mapValues { .string($0) })
        }
        var headerBytes = Array(JSONValue.object(header).serialized().utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        let n = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
        out.append(contentsOf: headerBytes)
        for entry in file.entries {
            for v in entry.values {
                let bits = v.bitPattern
                out.append(UInt8(truncatingIfNeeded: bits))
                out.append(UInt8(truncatingIfNeeded: bits >> 8))
                out.append(UInt8(truncatingIfNeeded: bits >> 16))
                out.append(UInt8(truncatingIfNeeded: bits >> 24))
            }
        }
        return out
    }

    /// Encodes `file` and writes it to `path` atomically: a temporary file in the same folder is
    /// written, flushed with fsync and renamed over `path`, so readers see the old file or the new one,
    /// never a partial one.
    /// - Throws: `SafeTensorsError` from `encode`, or `.io` naming the failed operation.
    public static func write(_ file: SafeTensorsFile, path: String) throws {
        try FileIO.writeAtomically(try encode(file), path: path)
    }
}
