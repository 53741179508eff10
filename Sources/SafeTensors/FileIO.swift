import Base
import Synchronization

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
        // O_NONBLOCK: a named pipe in a file's place would block the open until a writer came (a hang); it is
        // refused below as not a regular file. Reads of a regular file do not block either way.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
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
        try writeAtomically([(bytes: bytes, path: path)])
    }

    /// Writes several files as one step as far as POSIX allows: every file is first written in full to
    /// its temporary name and fsynced, and only then are they renamed into place in order (the last
    /// one last), so a kill during the slow part (writing and syncing) changes none of them; only the
    /// renames, microseconds apart, can be split by a kill. A failing rename puts back the files already
    /// renamed (from hard links taken just before), so an error leaves every file as it was. On failure
    /// every temporary file is removed. The temporary names are recorded in `TemporaryFiles.shared` while
    /// they exist, so that a command a signal ends at once removes them.
    public static func writeAtomically(_ files: [(bytes: [UInt8], path: String)]) throws {
        var staged: [(temporary: String, path: String, backup: String?)] = []
        var committed = 0
        var finished = false
        defer {
            if !finished {
                for item in staged[committed...] { unlink(item.temporary) }
                for item in staged { if let backup = item.backup { unlink(backup) } }
            }
            // Each name is now renamed, put back or unlinked (names are unique: none can be a real file).
            for item in staged {
                TemporaryFiles.shared.remove(item.temporary)
                if let backup = item.backup { TemporaryFiles.shared.remove(backup) }
            }
        }
        // A folder in the way would fail at the backup link with a misleading "Operation not permitted".
        for file in files {
            var info = stat()
            if stat(file.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                throw SafeTensorsError.io(path: file.path, operation: "replace", message: errorText(EISDIR))
            }
        }
        removeStaleTemporaries(of: files.map(\.path))
        for file in files {
            staged.append((try stage(file.bytes, path: file.path), file.path, nil))
        }
        // A hard link to each file about to be replaced, so a failed rename can put back the ones
        // already renamed: either every file is new or every file is as it was.
        for index in staged.indices where access(staged[index].path, F_OK) == 0 {
            let backup = temporaryName(beside: staged[index].path, attempt: index)
            TemporaryFiles.shared.add(backup)
            if checked("link", { link(staged[index].path, backup) }) != 0 {
                TemporaryFiles.shared.remove(backup)
                throw SafeTensorsError.io(path: staged[index].path, operation: "keep a copy", message: errorText(errno))
            }
            staged[index].backup = backup
        }
        var directories: [String] = []
        for item in staged {
            if TemporaryFiles.shared.commit(item.temporary, { checked("rename") { rename(item.temporary, item.path) } })
                != 0
            {
                let failure = SafeTensorsError.io(
                    path: item.path, operation: "rename into place", message: errorText(errno))
                rollBack(staged[..<committed])
                throw failure
            }
            committed += 1
            let directory = folder(of: item.path)
            if !directories.contains(directory) { directories.append(directory) }
        }
        finished = true
        for item in staged { if let backup = item.backup { unlink(backup) } }
        // Make the renames durable; a failure here leaves complete files, so it is not an error.
        for directory in directories {
            let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dirfd >= 0 {
                _ = fsync(dirfd)
                close(dirfd)
            }
        }
    }

    /// Puts back the files that `committed` replaced (from their backups) or removes them (they did not
    /// exist before), last first.
    private static func rollBack(_ committed: ArraySlice<(temporary: String, path: String, backup: String?)>) {
        for item in committed.reversed() {
            if let backup = item.backup {
                _ = rename(backup, item.path)
            } else {
                unlink(item.path)
            }
        }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The marker in temporary names: `.<base>.tmp-<n>`, where `n >> 32` is the writer's process id.
    static let temporaryMarker = ".tmp-"

    /// A fresh temporary name beside `path`: `.<base>.tmp-<n>`, `n`'s high half the process id, its low
    /// half varying with the time, `attempt` and a random draw.
    static func temporaryName(beside path: String, attempt: Int) -> String {
        let slash = path.lastIndex(of: "/")
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let pid = UInt64(UInt32(truncatingIfNeeded: getpid())) << 32
        let low =
            (UInt64(UInt32(truncatingIfNeeded: time(nil))) &+ UInt64(attempt) &+ UInt64.random(in: 0..<1 << 20))
            & 0xFFFF_FFFF
        return (slash == nil ? "" : folder(of: path) + "/") + ".\(base)\(temporaryMarker)\(pid | low)"
    }

    /// Writes `bytes` to a new temporary file beside `path` and fsyncs it; returns its path, recorded in
    /// `TemporaryFiles.shared` (the caller forgets it). Errors name `path`, the file the caller asked for,
    /// not the temporary one (removed and forgotten on failure).
    static func stage(_ bytes: [UInt8], path: String) throws -> String {
        var fd: Int32 = -1
        var temporary = ""
        for attempt in 0..<100 {
            temporary = temporaryName(beside: path, attempt: attempt)
            TemporaryFiles.shared.add(temporary)
            fd = checked("create") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
            if fd >= 0 { break }
            let code = errno
            TemporaryFiles.shared.remove(temporary)
            errno = code
            if code != EEXIST { break }
        }
        if fd < 0 { throw SafeTensorsError.io(path: path, operation: "create", message: errorText(errno)) }
        var closed = false
        var done = false
        defer {
            if !closed { close(fd) }
            if !done {
                unlink(temporary)
                TemporaryFiles.shared.remove(temporary)
            }
        }
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = checkedWrite(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SafeTensorsError.io(path: path, operation: "write", message: errorText(errno))
                }
                written += n
            }
        }
        if checked("fsync", { fsync(fd) }) != 0 {
            throw SafeTensorsError.io(path: path, operation: "fsync", message: errorText(errno))
        }
        closed = true
        let closeResult = close(fd)  // always closed, also when the plan fails the call
        if checked("close", { closeResult }) != 0 {
            throw SafeTensorsError.io(path: path, operation: "close", message: errorText(errno))
        }
        done = true
        return temporary
    }

    /// Whether `name` (a file name, no folder) is a temporary file of `writeAtomically`, and if so the
    /// process id of its writer.
    public static func temporaryWriter(of name: String) -> Int32? {
        let bytes = Array(name.utf8)
        let marker = Array(temporaryMarker.utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count > marker.count + 1 else { return nil }
        var start = bytes.count - marker.count
        while start > 0, Array(bytes[start..<(start + marker.count)]) != marker { start -= 1 }
        guard start > 0, let suffix = UInt64(String(decoding: bytes[(start + marker.count)...], as: UTF8.self))
        else { return nil }
        return Int32(truncatingIfNeeded: suffix >> 32)
    }

    /// Removes the temporaries of the files `paths` that killed writers left beside them (`.NAME.tmp-N` of a
    /// process that no longer exists): a SIGKILL during a write into an `--out` folder, which is no run folder
    /// and so is never cleaned as a whole, leaves its half-written temporary only until the same file is
    /// written again. Temporaries of other names are left alone: the folder may be anyone's. Each folder is
    /// read once per process (`staleTemporaries`), so writing thousands of images into one stays linear.
    static func removeStaleTemporaries(of paths: [String]) {
        var names: [String: Set<String>] = [:]
        for path in paths {
            let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
            names[folder(of: path), default: []].insert(base)
        }
        for (directory, bases) in names {
            let found = staleTemporaries.withLock { known in
                if known[directory] == nil { known[directory] = deadWritersTemporaries(in: directory) }
                var found: [String] = []
                for base in bases { if let names = known[directory]?.removeValue(forKey: base) { found += names } }
                return found
            }
            for name in found {
                var info = stat()
                let path = directory + "/" + name
                if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
            }
        }
    }

    /// For each folder this process has written into, the temporaries of writers that had died when it was
    /// first read, by the name of the file each was writing; an entry is taken out once that file is written.
    private static let staleTemporaries = Mutex<[String: [String: [String]]]>([:])

    /// The temporaries in `directory` whose writer process no longer exists, by the name of the file each was
    /// writing (`.BASE.tmp-N`: N has no dot, so the last dot starts the marker).
    private static func deadWritersTemporaries(in directory: String) -> [String: [String]] {
        guard let dir = opendir(directory) else { return [:] }
        var found: [String: [String]] = [:]
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = temporaryWriter(of: name), pid > 0, let dot = name.lastIndex(of: ".") else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // a live writer (this process included)
            found[String(name[name.index(after: name.startIndex)..<dot]), default: []].append(name)
        }
        closedir(dir)
        return found
    }

    /// Removes the temporary files that killed writers left in `directory` (those whose writer
    /// process no longer exists; files of live writers are left alone). Only regular files directly in
    /// `directory` whose names match the temporary pattern are touched. Returns the names removed.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            names.append(name)
        }
        closedir(dir)
        var removed: [String] = []
        for name in names {
            guard let pid = temporaryWriter(of: name) else { continue }
            if pid > 0, kill(pid, 0) == 0 || errno == EPERM { continue }  // a live writer (this process included)
            var info = stat()
            let path = directory + "/" + name
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }
}
