import Base
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a run while it is being trained, so two trainings into the same run folder
/// cannot both save and silently replace each other's checkpoints: the second is refused with one line.
///
/// The lock is `flock(2)` on `<root>/.<name>.lock` (beside the run folder, so a new run can be locked
/// before its folder exists, and hidden from the run list). The kernel drops it when the process dies,
/// so a killed trainer never leaves a run locked; the file itself holds the owner's process id for the
/// message and is removed on release, or, while held, by a command a signal ends at once (it is recorded in
/// `TemporaryFiles.shared`).
public final class RunLock: @unchecked Sendable {
    /// The lock file's path; `@unchecked Sendable`: immutable after `init` apart from `fd`, which only
    /// `release` changes, under `releasing` (a workbench training releases its lock on its runner's queue when
    /// it ends, and the workbench on its own thread when it quits, maybe at the same moment).
    public let path: String
    private var fd: Int32
    private let releasing = NSLock()

    /// Takes the lock of `run`, creating the runs folder if needed. `advice` ends the message when the run
    /// is held: what the user can do about it.
    /// - Throws: `RunError` when another process (or another training in this one) holds it.
    public init(run: RunDirectory, advice: String = "wait for it to finish or pick another --run name") throws {
        path = "\(run.root)/.\(run.name).lock"
        fd = try RunLock.acquire(run: run, path: path, advice: advice)
    }

    /// Takes the lock of `folder`, an output folder that one command at a time may write (`attack --out DIR`):
    /// the same `flock(2)`, on `DIR/.manifold.lock`, so that two attacks into one folder cannot leave it holding
    /// the results of one and the images of the other. The folder must exist. `busy` makes the message when
    /// another process (or job) holds it, from who that is ("another process (pid N)").
    /// - Throws: `RunError` when another holds it, or the lock file cannot be made.
    public init(outputFolder folder: String, busy: (String) -> String) throws {
        path = folder.hasSuffix("/") ? folder + RunLock.folderLockName : folder + "/" + RunLock.folderLockName
        let path = self.path
        fd = try RunLock.acquire(
            path: path, folder: folder,
            unwritable: { "folder '\(Sanitize.line(folder, limit: 200))' is not writable (\($0))" },
            busy: busy)
    }

    /// The name of an output folder's lock file (`init(outputFolder:busy:)`).
    public static let folderLockName = ".manifold.lock"

    /// Opens and locks the lock file `path` of `run`; returns its descriptor (the holder's pid written in it).
    private static func acquire(run: RunDirectory, path: String, advice: String) throws -> Int32 {
        try RunDirectory.createRoot(run.root)
        return try acquire(
            path: path, folder: run.root,
            unwritable: { "runs folder '\(run.root)' is not writable (\($0)); no run can be saved there" },
            busy: { "run '\(run.path)' is being trained by \($0); \(advice)" })
    }

    /// Opens and locks the lock file `path` in `folder`; returns its descriptor (the holder's pid written in it).
    /// `unwritable` words a folder that refuses the file (from the system's reason), `busy` a lock held by
    /// another (from who holds it).
    private static func acquire(
        path: String, folder: String, unwritable: (String) -> String, busy: (String) -> String
    ) throws -> Int32 {
        // Retry when the file was replaced between open and flock (a releasing owner unlinked it).
        for _ in 0..<10 {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                // The usual cause, named as such: the lock file is only this program's business.
                if access(folder, W_OK) != 0 {
                    throw RunError(unwritable(String(cString: strerror(errno))))
                }
                throw RunError("cannot create lock file '\(path)': \(reason)")
            }
            if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let owner = RunLock.owner(descriptor)
                close(descriptor)
                if code == EWOULDBLOCK {
                    throw RunError(busy(RunLock.holder(owner)))
                }
                throw RunError("cannot lock '\(path)': \(String(cString: strerror(code)))")
            }
            var opened = stat()
            var named = stat()
            if fstat(descriptor, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino,
                opened.st_dev == named.st_dev
            {
                // Recorded before the holder's pid is written: a file that names this process is removed by a
                // signal that ends it at once.
                TemporaryFiles.shared.add(path)
                let text = Array("\(getpid())\n".utf8)
                _ = ftruncate(descriptor, 0)
                _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
                return descriptor
            }
            close(descriptor)
        }
        throw RunError("cannot lock '\(path)': it keeps being replaced")
    }

    /// Takes the lock again if its file was deleted while it was held (`rm -rf` of the runs folder while the run
    /// trains): the lock went with the deleted file, so another training could take the run and both would save
    /// into it. A training calls this before each save.
    /// - Throws: `RunError` when another training has taken the run meanwhile (nothing may be saved then).
    public func reclaim(_ run: RunDirectory) throws {
        releasing.lock()
        defer { releasing.unlock() }
        guard fd >= 0, !isFileAtPath else { return }
        // The recorded name is not this lock's file any more: a signal must not remove one another training makes.
        TemporaryFiles.shared.remove(path)
        let descriptor = try RunLock.acquire(
            run: run, path: path,
            advice: "its lock file was deleted while this training ran, so this epoch is not saved")
        close(fd)
        fd = descriptor
    }

    /// A new run of a generated name (`RunDirectory.newName`), locked: a name that another training took a
    /// moment before (started in the same second) is passed over for the next, so trainings started together
    /// without `--run` each get a run instead of being refused for a name nobody chose.
    public static func newRun(model: String, dataset: String, method: String? = nil, root: String) throws -> (
        run: RunDirectory, lock: RunLock
    ) {
        for _ in 0..<100 {
            let run = RunDirectory(
                root: root, name: RunDirectory.newName(model: model, dataset: dataset, method: method, root: root))
            do {
                return (run, try RunLock(run: run))
            } catch {
                // Taken meanwhile: its lock file is there now, so the next name differs.
                if holder(of: run) != nil { continue }
                throw error
            }
        }
        throw RunError("cannot find a free run name for '\(model)' in '\(root)'; pick one with --run")
    }

    /// Who holds a lock whose file names `owner`: "another job of this process" or "another process (pid N)".
    private static func holder(_ owner: Int32?) -> String {
        owner == getpid() ? "another job of this process" : "another process" + (owner.map { " (pid \($0))" } ?? "")
    }

    /// Who trains `run` now (as `holder` says it), or nil when no training holds its lock. Looks without
    /// creating or taking anything that stays: for messages about a run that may be in training.
    public static func holder(of run: RunDirectory) -> String? {
        let descriptor = open("\(run.root)/.\(run.name).lock", O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return errno == EWOULDBLOCK ? holder(owner(descriptor)) : nil
    }

    /// The process id written in the lock file, if readable.
    private static func owner(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether `path` names the file this lock holds (not a file made there since this one was deleted).
    private var isFileAtPath: Bool {
        var opened = stat()
        var named = stat()
        return fstat(fd, &opened) == 0 && stat(path, &named) == 0 && opened.st_ino == named.st_ino
            && opened.st_dev == named.st_dev
    }

    /// Whether the lock is still held (not yet released).
    public var isHeld: Bool { releasing.withLock { fd >= 0 } }

    /// Gives the lock up (also done when the lock is released from memory).
    public func release() {
        releasing.lock()
        defer { releasing.unlock() }
        guard fd >= 0 else { return }
        // Under the record's lock: the file is unlinked here or by the signal's removal, never twice (the
        // second could remove a lock file another process has made since). Only while the name is still this
        // lock's file: one deleted under it (`rm -rf` of the runs folder while it trained) may have been made
        // again by another training since, which holds it.
        _ = TemporaryFiles.shared.commit(path) { isFileAtPath ? unlink(path) : 0 }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
