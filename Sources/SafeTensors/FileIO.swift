#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and atomic writes over POSIX calls, each checked, errors as `SafeTensorsError.io`.
public enum FileIO {
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Reads the whole regular file at `path`.
    public static func readAll(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SafeTensorsError.io(path: path, operation: "open", message: errorText(errno)) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw SafeTensorsError.io(path: path, operation: "stat", message: errorText(errno))
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw SafeTensorsError.io(path: path, operation: "read", message: "not a regular file")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError.io(path: path, operation: "read", message: errorText(errno))
                }
                if n == 0 { break }
                done += n
            }
        }
        if done != size {
            throw SafeTensorsError.io(path: path, operation: "read", message: "file shrank while reading")
        }
        return bytes
    }

    /// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs
    /// the folder. On any failure the temporary file is removed and `path` is untouched.
    public static func writeAtomically(_ bytes: [UInt8], path: String) throws {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var suffix = UInt64(UInt32(truncatingIfNeeded: getpid())) << 32
        var fd: Int32 = -1
        var temporary = ""
        for attempt in 0..<100 {
            suffix &+= UInt64(attempt) &+ UInt64(UInt32(truncatingIfNeeded: time(nil)))
            temporary = (directory == "." && slash == nil ? "" : directory + "/") + ".\(base).tmp-\(suffix)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        if fd < 0 { throw SafeTensorsError.io(path: temporary, operation: "create", message: errorText(errno)) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError.io(path: temporary, operation: "write", message: errorText(errno))
                }
                done += n
            }
        }
        if fsync(fd) != 0 { throw SafeTensorsError.io(path: temporary, operation: "fsync", message: errorText(errno)) }
        closed = true
        if close(fd) != 0 { throw SafeTensorsError.io(path: temporary, operation: "close", message: errorText(errno)) }
        if rename(temporary, path) != 0 {
            throw SafeTensorsError.io(path: path, operation: "rename into place", message: errorText(errno))
        }
        renamed = true
        // Make the rename itself durable; a failure here leaves a complete file, so it is not an error.
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}
