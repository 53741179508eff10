import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The child programs a process started and has not reaped (a Python reference, a benchmark's own
/// runs), kept so that Ctrl-C, which ends a command at once, ends them too: a `kill -INT` sent to
/// `manifold` alone would otherwise leave them running, orphaned. Owners `add` a child once it is
/// started and `remove` it once it is reaped; the interrupt handler calls `endAll()` on `shared` just
/// before the process ends.
public final class ChildProcesses: Sendable {
    /// The process's children.
    public static let shared = ChildProcesses()

    private struct State {
        var pids: Set<pid_t> = []
        /// Set by `endAll()`: the process is ending; a child added after it is ended at once.
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Records a started child. Once `endAll()` has run, it ends the child instead.
    public func add(_ pid: pid_t) {
        let closed = state.withLock { state in
            if !state.closed { state.pids.insert(pid) }
            return state.closed
        }
        // Started as the process began to end (after `endAll()` looked): ended with its group, if it leads one.
        if closed { kill(getpgid(pid) == pid ? -pid : pid, SIGKILL) }
    }

    /// Forgets a child that was reaped.
    public func remove(_ pid: pid_t) {
        _ = state.withLock { $0.pids.remove(pid) }
    }

    /// True once `endAll()` has begun: the process is ending.
    public var isEnding: Bool { state.withLock { $0.closed } }

    /// The children recorded now.
    public var pids: Set<pid_t> { state.withLock { $0.pids } }

    /// Sends SIGTERM to every recorded child, waits up to `grace` seconds for them to end, kills the
    /// rest, and reaps them all; from now on a child added is killed at once. A child that leads a process
    /// group of its own (as `ChildProcess` starts them) is signalled with its group, so that what it
    /// started (python under a wrapper script) ends too.
    public func endAll(grace: Double = 1) {
        let pids = state.withLock { state in
            state.closed = true
            defer { state.pids = [] }
            return state.pids
        }
        let leaders = Set(pids.filter { getpgid($0) == $0 })
        func send(_ signal: Int32, to pid: pid_t) { kill(leaders.contains(pid) ? -pid : pid, signal) }
        for pid in pids { send(SIGTERM, to: pid) }
        var running = pids
        let deadline = Date().addingTimeInterval(grace)
        while !running.isEmpty && Date() < deadline {
            running = running.filter { waitpid($0, nil, WNOHANG) == 0 }
            if !running.isEmpty { usleep(10_000) }
        }
        for pid in running {
            send(SIGKILL, to: pid)
            _ = waitpid(pid, nil, 0)
        }
        // The groups' other members, once their leader has ended, get no grace: nothing waits on them.
        for leader in leaders { kill(-leader, SIGKILL) }
    }
}
