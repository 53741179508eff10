/// Why a dataset could not be loaded. Each description is one line naming the file and what is wrong.
public enum DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A folder lacks one of the four MNIST-format files.
    case missingFile(folder: String, file: String)
    /// The file's contents violate the format (bad magic, type, dimensions, length, gzip damage).
    case corrupt(path: String, reason: String)
    /// The file or its decompressed contents exceed a size limit.
    case tooLarge(path: String, reason: String)
    /// Images and labels disagree, or labels are out of range.
    case inconsistent(path: String, reason: String)
    /// `--data` named neither a built-in dataset nor a folder.
    case unknownSpec(String)
    /// `--data` named a path that is not a folder.
    case noSuchFolder(String)
    /// `--data` named a file where a folder of the four files belongs.
    case notAFolder(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .missingFile(let folder, let file):
            return "\(folder): missing \(file) (or \(file).gz); an MNIST-format folder needs "
                + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"
        case .corrupt(let path, let reason): return "\(path): \(reason)"
        case .tooLarge(let path, let reason): return "\(path): \(reason)"
        case .inconsistent(let path, let reason): return "\(path): \(reason)"
        case .unknownSpec(let spec):
            return "unknown dataset '\(spec)' (known: synthetic, fashion, or a folder path)"
        case .notAFolder(let path):
            return
                "'\(path)' is a file, not a folder (a dataset is synthetic, fashion, or a folder of MNIST-format files)"
        case .noSuchFolder(let path):
            return "no such folder '\(path)' (a dataset is synthetic, fashion, or a folder of MNIST-format files)"
        }
    }
}
