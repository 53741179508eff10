import Foundation
import Synchronization

/// The temporary folders a process made that must not outlive it (a reference script's inputs, a
/// child's captured output, a benchmark's scratch runs folder), kept so that Ctrl-C, which ends a
/// command at once, can remove them first. Owners create them with `create(_:)` and remove them with
/// `remove(_:)`; the interrupt handler calls `removeAll()` on `shared` just before the process ends.
public final class TemporaryFolders: Sendable {
    /// The process's folders.
    public static let shared = TemporaryFolders()

    private struct State {
        var paths: Set<String> = []
        /// Set by `removeAll()`: the process is ending, no folder may be made any more.
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Creates the folder `path` (and the folders above it) and records it. Once `removeAll()` has run
    /// (the process is about to end), it makes nothing and waits for that end.
    public func create(_ path: String) throws {
        let closed = try state.withLock { state in
            guard !state.closed else { return true }
            state.paths.insert(path)
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                state.paths.remove(path)
                throw error
            }
            return false
        }
        while closed { pause() }
    }

    /// Removes the folder `path` with what it holds, and forgets it.
    public func remove(_ path: String) {
        state.withLock { state in
            try? FileManager.default.removeItem(atPath: path)
            state.paths.remove(path)
        }
    }

    /// The folders recorded now.
    public var paths: Set<String> { state.withLock { $0.paths } }

    /// Removes every recorded folder with what it holds; from now on `create` makes nothing.
    public func removeAll() {
        state.withLock { state in
            for path in state.paths { try? FileManager.default.removeItem(atPath: path) }
            state.paths = []
            state.closed = true
        }
    }
}
