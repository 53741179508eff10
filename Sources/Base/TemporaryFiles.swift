import Foundation
import Synchronization

/// The temporary files a process is writing now (an atomic write's `.NAME.tmp-N`, before it is renamed into
/// place), kept so that a command that a signal ends at once (`InterruptNote`) can remove them first: a file
/// written into an `--out` folder is then whole or absent, with no half-written temporary left beside it.
/// Writers `add` a name before they create the file and `remove` it once the file is renamed or unlinked;
/// `removeAll()` unlinks the rest. Files that live only while the process works on them (a run's lock file)
/// are recorded the same way, and folders it made for files not yet written (`addFolder`): `removeAll()`
/// removes those that are still empty once the files are gone, so an interrupted save leaves no empty run.
public final class TemporaryFiles: Sendable {
    /// The process's files.
    public static let shared = TemporaryFiles()

    private struct State {
        var paths: Set<String> = []
        /// Folders made by this process, removed by `removeAll()` only when empty.
        var folders: Set<String> = []
        /// Set by `removeAll()`: the process is ending, no file may be made any more.
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Records `path`, about to be created. Once `removeAll()` has run (the process is about to end), it
    /// records nothing and waits for that end, so that no file is made after the removal.
    public func add(_ path: String) {
        let closed = state.withLock { state in
            if !state.closed { state.paths.insert(path) }
            return state.closed
        }
        while closed { pause() }
    }

    /// Runs `rename`, which moves the recorded `path` into place, and forgets `path`; returns what `rename`
    /// returned. Under the same lock as `removeAll()`, so the file is either renamed whole or removed: once
    /// `removeAll()` has run, it renames nothing and waits for the process to end.
    public func commit(_ path: String, _ rename: () -> Int32) -> Int32 {
        let outcome: (result: Int32, code: Int32)? = state.withLock { state in
            guard !state.closed else { return nil }
            state.paths.remove(path)
            let result = rename()
            return (result, errno)
        }
        guard let outcome else { while true { pause() } }
        errno = outcome.code  // the caller reads the rename's errno, whatever unlocking did to it
        return outcome.result
    }

    /// Records `path`, a folder this process has just made, to be removed by `removeAll()` if it is empty then
    /// (`rmdir` removes nothing else): a folder whose files were saved stays, so it need never be forgotten.
    public func addFolder(_ path: String) {
        let closed = state.withLock { state in
            if !state.closed { state.folders.insert(path) }
            return state.closed
        }
        while closed { pause() }
    }

    /// Runs `make`, which creates folder `path` and the folders above it that are missing (an `--out` folder),
    /// with those folders recorded by `addFolder` first, so that a command a signal ends before it wrote
    /// anything into them leaves none of them behind, empty: recorded before they exist, there is no moment
    /// at which one exists unrecorded (removing one that was not made yet does nothing).
    public func makeFolders(_ path: String, _ make: () throws -> Void) rethrows {
        var folder = path
        while !folder.isEmpty, folder != "/", access(folder, F_OK) != 0 {
            addFolder(folder)
            let parent = ParentPath.of(folder)
            if parent == folder { break }
            folder = parent
        }
        try make()
    }

    /// Forgets `path` (renamed into place, or removed by its writer).
    public func remove(_ path: String) {
        _ = state.withLock { $0.paths.remove(path) }
    }

    /// The files recorded now.
    public var paths: Set<String> { state.withLock { $0.paths } }

    /// The folders recorded now.
    public var folders: Set<String> { state.withLock { $0.folders } }

    /// Unlinks every recorded file, then removes the recorded folders that are empty (deepest first); from now
    /// on `add` makes its caller wait for the process to end.
    public func removeAll() {
        state.withLock { state in
            for path in state.paths { unlink(path) }
            for path in state.folders.sorted(by: { $0.count > $1.count }) { rmdir(path) }
            state.paths = []
            state.folders = []
            state.closed = true
        }
    }
}
