import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Work a program must do before a terminating signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) ends it while the
/// terminal is open: the workbench removes its trainings' lock files and the temporary files of a save under
/// way, which a workbench closed by `kill` or a killed tmux pane left behind (`.RUN.lock` every time) where
/// the headless `train` removes them.
///
/// The work may take locks, which a signal handler must not: the handler restores the terminal as before,
/// then only wakes a thread of this type's own (its signals blocked) through a pipe and returns. That thread
/// runs the work and ends the process by the signal's default action (exit status 128 + n, as before). From
/// the signal on, nothing more is written to the terminal (`Platform.writeAll`), and a second terminating
/// signal ends the process at once. Without work registered, the handler ends the process at once.
enum SignalCleanup {
    /// The work to run; set once by `register`.
    private static let work = Mutex<(@Sendable () -> Void)?>(nil)

    /// Registers `cleanup`, and on the first call starts the thread that runs it.
    static func register(_ cleanup: @escaping @Sendable () -> Void) {
        let first = work.withLock { work in
            defer { work = cleanup }
            return work == nil
        }
        guard first else { return }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // The thread must never run the handler itself: it starts with the terminating signals blocked.
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        for number in Platform.terminatingSignals { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let readEnd = ends[0]
        Thread.detachNewThread { finish(reading: readEnd) }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        SignalState.cleanupFD.store(ends[1], ordering: .releasing)
    }

    /// Called by the signal handler for terminating signal `number`, the terminal restored: wakes the thread
    /// and returns true, or returns false when the process must end at once (no work registered, a signal
    /// already being handled, the wake failed). Async-signal-safe: atomics and `write`.
    static func wake(_ number: Int32) -> Bool {
        let descriptor = SignalState.cleanupFD.load(ordering: .acquiring)
        guard descriptor >= 0,
            SignalState.ending.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing)
                .exchanged
        else { return false }
        var byte: UInt8 = 1
        return write(descriptor, &byte, 1) == 1
    }

    /// Waits for the handler's byte, runs the work, then ends the process by the signal's default action.
    private static func finish(reading descriptor: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count == 1 { break }
            // A broken pipe (never expected) leaves the ending to the handler.
            guard count < 0 && errno == EINTR else { return }
        }
        let number = SignalState.ending.load(ordering: .acquiring)
        work.withLock { $0 }?()
        Platform.resetToDefaultAction(number)
        var only = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, number)
        pthread_sigmask(SIG_UNBLOCK, &only, nil)
        raise(number)
        _exit(128 + number)
    }
}

extension Terminal {
    /// Runs `cleanup` before a terminating signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) ends the process while a
    /// terminal is open, after the terminal is restored, on a thread of its own (it may take locks); the
    /// process then ends by the signal as before. For files that must not outlive the process: a training's
    /// lock file, the temporary file of a save under way. A later call replaces the work.
    public static func runBeforeSignalEnd(_ cleanup: @escaping @Sendable () -> Void) {
        SignalCleanup.register(cleanup)
    }
}
