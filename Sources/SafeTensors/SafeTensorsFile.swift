/// One named tensor of a safetensors file, as Float values in row-major order.
public struct SafeTensorsEntry: Sendable, Equatable {
    /// PyTorch's dotted parameter name, e.g. `encoder.0.weight`.
    public var name: String
    /// The dimensions, outermost first (`[out, in]` for a Linear weight); `[]` is a scalar.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// The contents of a safetensors file: tensors in file order plus the `__metadata__` strings.
public struct SafeTensorsFile: Sendable, Equatable {
    public var entries: [SafeTensorsEntry]
    public var metadata: [String: String]

    public init(entries: [SafeTensorsEntry] = [], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    /// The entry named `name`, if present.
    public subscript(name: String) -> SafeTensorsEntry? {
        entries.first { $0.name == name }
    }
}

/// Why a safetensors file could not be read or written. Each description is one line that names the
/// file (or `source`) and what is wrong with it.
public enum SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed (open, read, write, fsync, rename).
    case io(path: String, operation: String, message: String)
    /// The file is shorter than the 8-byte header length.
    case fileTooSmall(source: String, size: Int)
    /// The header length is over the limit or reaches past the end of the file.
    case headerLength(source: String, length: UInt64, fileSize: Int)
    /// The header is not UTF-8 JSON of the expected shape.
    case invalidHeader(source: String, reason: String)
    /// A tensor's header entry is inconsistent (shape, offsets, byte count, name).
    case invalidTensor(source: String, tensor: String, reason: String)
    /// A tensor has a dtype Manifold does not convert to Float.
    case unsupportedDType(source: String, tensor: String, dtype: String)
    /// The tensors do not tile the data buffer exactly.
    case invalidLayout(source: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let message):
            return "\(path): cannot \(operation): \(message)"
        case .fileTooSmall(let source, let size):
            return "\(source): not a safetensors file: \(size) bytes, shorter than the 8-byte header length"
        case .headerLength(let source, let length, let fileSize):
            if length > UInt64(SafeTensorsFormat.maximumHeaderLength) {
                return
                    "\(source): header length \(length) exceeds the limit of \(SafeTensorsFormat.maximumHeaderLength) bytes"
            }
            return "\(source): header length \(length) reaches past the end of the \(fileSize)-byte file"
        case .invalidHeader(let source, let reason):
            return "\(source): invalid header: \(reason)"
        case .invalidTensor(let source, let tensor, let reason):
            return "\(source): tensor '\(tensor)': \(reason)"
        case .unsupportedDType(let source, let tensor, let dtype):
            return "\(source): tensor '\(tensor)' has dtype \(dtype); only F32, F64, F16 and BF16 can be read"
        case .invalidLayout(let source, let reason):
            return "\(source): invalid data layout: \(reason)"
        }
    }
}
