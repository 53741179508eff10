import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// All operating-system code of TerminalUI: termios, ioctl, poll, pipes and signal handlers.
///
/// Every system call's result is checked. The signal handlers only use async-signal-safe calls
/// (`write`, `tcsetattr`, `tcflush`, `sigaction`, `raise`) on state prepared before they were
/// installed: the exact bytes that restore the screen and the saved termios.
enum Platform {
    /// Whether a stop (Ctrl-Z) would be kept until a shell continues it. The kernel discards SIGTSTP sent
    /// to an orphaned process group, one with no parent in another group of the same session: the process
    /// started as a session's own command (`tmux new 'manifold'`, `ssh -t host manifold`, `docker run -it`)
    /// or under a shell without job control. There the workbench hung in cooked mode until a stray Enter.
    static func shellCanContinue() -> Bool {
        let parent = getppid()
        return getsid(parent) == getsid(0) && getpgid(parent) != getpgrp()
    }

    /// Gives `signal` its default action again (async-signal-safe: one `sigaction`), before a handler raises it
    /// to stop or end the process as if it had never been caught.
    static func resetToDefaultAction(_ signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&action.sa_mask)
        _ = sigaction(signal, &action, nil)
    }

    /// Whether `fd` is a terminal.
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The terminal size from `TIOCGWINSZ`, then `COLUMNS`/`LINES`, then 80x24.
    static func terminalSize(_ fd: Int32, environment: [String: String]) -> (width: Int, height: Int) {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        if let c = environment["COLUMNS"].flatMap(Int.init),
            let l = environment["LINES"].flatMap(Int.init), c > 0,
            l > 0
        {
            return (c, l)
        }
        return (80, 24)
    }

    /// The current termios of `fd`.
    static func attributes(_ fd: Int32) throws(TerminalError) -> termios {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { throw .systemCall("tcgetattr", errno) }
        return t
    }

    /// Sets the termios of `fd`.
    static func setAttributes(_ fd: Int32, _ t: termios) throws(TerminalError) {
        var copy = t
        guard tcsetattr(fd, TCSANOW, &copy) == 0 else { throw .systemCall("tcsetattr", errno) }
    }

    /// `t` in raw mode: no echo, no line editing, no signals from keys (Ctrl-C arrives as a key),
    /// no output post-processing; reads return whatever is available (VMIN 0, VTIME 0).
    static func rawMode(from t: termios) -> termios {
        var raw = t
        cfmakeraw(&raw)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        return raw
    }

    /// Writes all of `bytes`, retrying on interruption and waiting while the tty is full; nothing once a
    /// terminating signal is ending the process (`SignalCleanup`): the terminal is restored then, and a frame
    /// written after would land on the shell's screen.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard SignalState.ending.load(ordering: .acquiring) == 0 else { return false }
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && (errno == EINTR || errno == EAGAIN) {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
            } else {
                return false
            }
        }
        return true
    }

    /// Creates a non-blocking, close-on-exec pipe.
    static func makePipe() throws(TerminalError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .systemCall("pipe", errno) }
        for fd in fds {
            guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0,
                fcntl(fd, F_SETFD, FD_CLOEXEC) == 0
            else {
                throw .systemCall("fcntl", errno)
            }
        }
        return (fds[0], fds[1])
    }

    /// Waits up to `milliseconds` (negative: forever) for input on `inputFD` or a wake-up on `wakeFD`.
    /// - Returns: whether each is readable.
    static func waitForInput(inputFD: Int32, wakeFD: Int32, milliseconds: Int32) -> (
        input: Bool, wake: Bool
    ) {
        var fds = [
            pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        let n = poll(&fds, wakeFD >= 0 ? 2 : 1, milliseconds)
        guard n > 0 else { return (false, false) }
        let inputReady = fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0
        return (inputReady, fds[1].revents & Int16(POLLIN) != 0)
    }

    /// Reads what is available from `fd` (at most 4096 bytes). `closed` is true at end of input or on
    /// an error other than an interruption (a terminal that hung up reads as end of input or EIO).
    static func readAvailable(_ fd: Int32) -> (bytes: [UInt8], closed: Bool) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { return (Array(buffer[0..<n]), false) }
        let error = errno
        return ([], n == 0 || (error != EINTR && error != EAGAIN && error != EWOULDBLOCK))
    }

    /// Empties a non-blocking pipe.
    static func drain(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    // MARK: Signals

    /// Signals after which the terminal is restored and the signal re-raised with its default action.
    static let terminatingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// Signals of a crash or a Swift runtime trap: restore, then hand over to the previous handler
    /// (the default action, or the Swift runtime's backtracer when it installed one).
    static let crashSignals: [Int32] = [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS]

    /// Installs `terminalSignalHandler` for every signal TerminalUI handles, saving the previous actions.
    static func installSignalHandlers() throws(TerminalError) {
        for signal in terminatingSignals + crashSignals + [SIGWINCH, SIGTSTP, SIGCONT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = terminalSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var previous = sigaction()
            guard sigaction(signal, &action, &previous) == 0 else {
                throw .systemCall("sigaction", errno)
            }
            SignalState.previousActions[Int(signal)] = previous
        }
        // A process started from a Dispatch worker thread inherits its mask, with the terminating
        // signals blocked: unblock every signal handled here on this thread, so that they arrive.
        var handled = sigset_t()
        sigemptyset(&handled)
        for signal in terminatingSignals + crashSignals + [SIGWINCH, SIGTSTP, SIGCONT] { sigaddset(&handled, signal) }
        _ = pthread_sigmask(SIG_UNBLOCK, &handled, &SignalState.previousMask)
    }

    /// Puts back the actions that were in place before `installSignalHandlers`.
    static func uninstallSignalHandlers() {
        for signal in terminatingSignals + crashSignals + [SIGWINCH, SIGTSTP, SIGCONT] {
            var previous = SignalState.previousActions[Int(signal)]
            _ = sigaction(signal, &previous, nil)
        }
        _ = pthread_sigmask(SIG_SETMASK, &SignalState.previousMask, nil)
    }
}

/// State the signal handlers read. Written only while the handlers are not installed (or with the
/// terminal inactive), so the handlers never see a partial update.
enum SignalState {
    nonisolated(unsafe) static var inputFD: Int32 = 0
    nonisolated(unsafe) static var outputFD: Int32 = 1
    nonisolated(unsafe) static var wakeFD: Int32 = -1
    nonisolated(unsafe) static var savedTermios = termios()
    nonisolated(unsafe) static var rawTermios = termios()
    /// Bytes that leave every mode we entered, in reverse order of setup, and leave the alternate screen.
    nonisolated(unsafe) static var restoreBytes = UnsafeMutableRawBufferPointer.allocate(
        byteCount: 256, alignment: 1)
    nonisolated(unsafe) static var restoreCount = 0
    /// Bytes that enter our modes again after a resume.
    nonisolated(unsafe) static var setupBytes = UnsafeMutableRawBufferPointer.allocate(
        byteCount: 256, alignment: 1)
    nonisolated(unsafe) static var setupCount = 0
    /// The calling thread's signal mask before `installSignalHandlers` unblocked ours.
    nonisolated(unsafe) static var previousMask = sigset_t()
    nonisolated(unsafe) static var previousActions = UnsafeMutablePointer<sigaction>.allocate(
        capacity: 65)

    /// Whether the terminal is in our modes (cleared exactly once by whoever restores it).
    static let active = Atomic<Bool>(false)
    /// Set by SIGWINCH, cleared by the event loop.
    static let resized = Atomic<Bool>(false)
    /// Set by SIGCONT, cleared by the event loop (the screen must be redrawn in full).
    static let resumed = Atomic<Bool>(false)
    /// Counts SIGCONTs: a SIGTSTP that none followed was discarded (see `Platform.shellCanContinue`).
    static let continued = Atomic<Int>(0)
    /// The write end of the pipe that wakes `SignalCleanup`'s thread; -1 while none was started.
    static let cleanupFD = Atomic<Int32>(-1)
    /// The terminating signal that `SignalCleanup`'s thread is ending the process for; 0 before one came.
    static let ending = Atomic<Int32>(0)

    /// Copies the byte strings in (bounded by the preallocated space).
    static func prepare(restore: String, setup: String) {
        let r = Array(restore.utf8.prefix(restoreBytes.count))
        restoreBytes.copyBytes(from: r)
        restoreCount = r.count
        let s = Array(setup.utf8.prefix(setupBytes.count))
        setupBytes.copyBytes(from: s)
        setupCount = s.count
    }

    /// Restores the terminal if it is still in our modes. Async-signal-safe.
    static func restoreIfActive() {
        guard active.exchange(false, ordering: .sequentiallyConsistent) else { return }
        writeRaw(restoreBytes.baseAddress!, restoreCount)
        _ = tcflush(inputFD, TCIFLUSH)
        _ = tcsetattr(inputFD, TCSANOW, &savedTermios)
    }

    /// Enters our modes again (after SIGCONT). Async-signal-safe.
    static func reenter() {
        guard !active.exchange(true, ordering: .sequentiallyConsistent) else { return }
        _ = tcsetattr(inputFD, TCSANOW, &rawTermios)
        writeRaw(setupBytes.baseAddress!, setupCount)
    }

    /// A write loop with no allocation, for signal handlers.
    static func writeRaw(_ base: UnsafeMutableRawPointer, _ count: Int) {
        var offset = 0
        var attempts = 0
        while offset < count && attempts < 1000 {
            let n = write(outputFD, base + offset, count - offset)
            if n > 0 { offset += n } else if n < 0 && errno != EINTR && errno != EAGAIN { return }
            attempts += 1
        }
    }

    /// Wakes the event loop. Async-signal-safe.
    static func wake() {
        var byte: UInt8 = 1
        if wakeFD >= 0 { _ = write(wakeFD, &byte, 1) }
    }
}

/// The one handler for every signal TerminalUI catches. Async-signal-safe.
private func terminalSignalHandler(_ signal: Int32) {
    let savedErrno = errno
    defer { errno = savedErrno }
    switch signal {
    case SIGWINCH:
        SignalState.resized.store(true, ordering: .sequentiallyConsistent)
        SignalState.wake()
    case SIGCONT:
        SignalState.continued.wrappingAdd(1, ordering: .sequentiallyConsistent)
        SignalState.reenter()
        SignalState.resumed.store(true, ordering: .sequentiallyConsistent)
        SignalState.wake()
    case SIGTSTP:
        // Restore, stop with the default action (the signal is blocked until we return), and let
        // SIGCONT set the terminal up again.
        let continuedBefore = SignalState.continued.load(ordering: .sequentiallyConsistent)
        SignalState.restoreIfActive()
        Platform.resetToDefaultAction(SIGTSTP)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTSTP)
        _ = raise(SIGTSTP)
        _ = pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        // A stopped process runs SIGCONT's handler before the unblock returns. With no SIGCONT, the stop was
        // discarded (an orphaned process group): nothing will continue us, so the terminal is set up again now.
        // (It was left in cooked mode, the screen blank and keys echoed, until a stray Enter.)
        if SignalState.continued.load(ordering: .sequentiallyConsistent) == continuedBefore {
            SignalState.reenter()
            SignalState.resumed.store(true, ordering: .sequentiallyConsistent)
            SignalState.wake()
        }
        // Running again: catch the next suspend too.
        var again = sigaction()
        again.__sigaction_handler.sa_handler = terminalSignalHandler
        sigemptyset(&again.sa_mask)
        again.sa_flags = SA_RESTART
        _ = sigaction(SIGTSTP, &again, nil)
    default:
        SignalState.restoreIfActive()
        let terminating = signal == SIGINT || signal == SIGTERM || signal == SIGHUP || signal == SIGQUIT
        // With work to do before the end (a training's lock file to remove), its thread does it and ends the
        // process; a second signal, or none registered, ends it here.
        if terminating && SignalCleanup.wake(signal) { return }
        // Terminating signals get the default action (exit status 128 + n); crashes go to whatever
        // handled them before us (the default, or the Swift runtime's backtracer).
        if terminating {
            Platform.resetToDefaultAction(signal)
        } else {
            var action = SignalState.previousActions[Int(signal)]
            _ = sigaction(signal, &action, nil)
        }
        _ = raise(signal)
    }
}

/// `atexit` hook: restores the terminal when the process exits without closing it.
func terminalExitHandler() {
    SignalState.restoreIfActive()
}
