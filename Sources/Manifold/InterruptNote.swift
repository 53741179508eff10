import Base
import Foundation
import Synchronization

/// Ctrl-C in a command that writes its files only once its work is done (`attack`, `sample`, `poison`,
/// `compare`, `defend`, `eval`, `bench`): the process ends at once with exit status 130, after one line on stderr that
/// says it was interrupted and what was or was not written. SIGTERM and SIGHUP (`kill`, `timeout`, a closed
/// terminal) end it the same way, then by the signal's default action (exit status 143 and 129); so does
/// SIGPIPE (the reader of a pipe gone, `2>&1 | head -1`), without the line (exit status 141). A SIGHUP or
/// SIGPIPE the process was started to ignore (`nohup`, `trap '' PIPE`) stays ignored. The command keeps that line current as it
/// goes (`set(_:)` before each phase). Files are written atomically (a temporary file renamed into
/// place), so one being written when the signal comes is whole or absent, and its temporary
/// (`TemporaryFiles.shared`) is removed. The child programs the
/// process started (`ChildProcesses.shared`) are ended and the temporary folders it made
/// (`TemporaryFolders.shared`) removed before it ends. `train` instead stops between
/// steps to say which epoch is saved (`InterruptFlag`).
enum InterruptNote {
    /// The address of the line to print: a C string made by `set`, never freed (a handful per process).
    private static let line = Atomic<Int>(0)
    /// The end of a pipe that wakes `finisher`, or -1 when it could not be made.
    private static let wake = Atomic<Int32>(-1)
    /// The signal that ends the process (SIGINT, SIGTERM or SIGHUP); 0 before one came.
    private static let received = Atomic<Int32>(0)

    /// Writes the current line and ends the process (async-signal-safe calls only): SIGINT with exit
    /// status 130, SIGTERM and SIGHUP by their default action, as they would have ended it unhandled.
    private static func printLineAndExit() -> Never {
        let number = received.load(ordering: .acquiring)
        // SIGPIPE (the reader of a pipe gone, `| head -1`) ends the process quietly: the pipe may be stderr.
        if number != SIGPIPE, let text = UnsafePointer<CChar>(bitPattern: InterruptNote.line.load(ordering: .acquiring))
        {
            _ = write(STDERR_FILENO, text, strlen(text))
        }
        if number != 0 && number != SIGINT { endByDefaultAction(number) }
        _exit(130)
    }

    /// Ends the process by `number`'s default action, unblocked in this thread (async-signal-safe calls).
    private static func endByDefaultAction(_ number: Int32) -> Never {
        signal(number, SIG_DFL)
        var only = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, number)
        pthread_sigmask(SIG_UNBLOCK, &only, nil)
        raise(number)
        _exit(128 + number)
    }

    /// The handler only wakes `finisher`, since removing folders is not safe in a signal handler, and
    /// returns: the thread it interrupted (any thread that does not block the signal, not necessarily the
    /// one doing the command's work) may hold a lock the finisher needs, so it must go on. The command's
    /// own threads stop where they would make the interruption visible: making a file or folder
    /// (`TemporaryFiles`, `TemporaryFolders`), seeing a child end (`ChildProcess`) or exiting (`holdIfEnding`)
    /// wait for the finisher to end the process. A second signal ends it at once.
    private static let installed: Void = {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            wake.store(ends[1], ordering: .releasing)
            // The finisher must never run the handler itself: it starts with the handled signals blocked.
            var blocked = sigset_t()
            var previous = sigset_t()
            sigemptyset(&blocked)
            for number in handled { sigaddset(&blocked, number) }
            pthread_sigmask(SIG_BLOCK, &blocked, &previous)
            let readEnd = ends[0]
            Thread.detachNewThread { finisher(reading: readEnd) }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        for number in handled {
            let previous = signal(number) { number in
                // The first signal ends the process; a second one (of any of them) ends it at once, but for
                // SIGPIPE: the command's next write to the pipe, while the finisher ends the process, is none
                // of the user's doing.
                guard
                    InterruptNote.received.compareExchange(
                        expected: 0, desired: number, ordering: .acquiringAndReleasing
                    ).exchanged
                else {
                    if number == SIGPIPE { return }
                    endByDefaultAction(number)
                }
                var byte: UInt8 = 1
                if write(InterruptNote.wake.load(ordering: .acquiring), &byte, 1) != 1 { printLineAndExit() }
            }
            // A signal the process was started to ignore (`nohup` and SIGHUP, `trap '' PIPE`) stays ignored.
            if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                signal(number, SIG_IGN)
            }
        }
    }()

    /// The signals that end the process this way.
    private static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]

    /// Waits for the handler's byte, ends the process's children and removes its temporary folders
    /// (the children first: they may be writing into them), then ends the process.
    private static func finisher(reading descriptor: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count == 1 { break }
            // A broken pipe (never expected) leaves the ending to the handler.
            guard count < 0 && errno == EINTR else { return }
        }
        ChildProcesses.shared.endAll()
        TemporaryFolders.shared.removeAll()
        TemporaryFiles.shared.removeAll()
        printLineAndExit()
    }

    /// `status`, unless a signal is ending the process: then the caller waits for `finisher` to end it, so
    /// that a command finishing just after the signal neither exits 0 nor flushes a report it buffered.
    static func holdIfEnding(_ status: Int32) -> Int32 {
        while received.load(ordering: .acquiring) != 0 { pause() }
        return status
    }

    /// Makes `note` the line Ctrl-C prints from now on (prefixed `manifold: `, like errors); installs the
    /// handler on first use. A progress bar on a terminal is cleared first.
    static func set(_ note: String) {
        let clear = ProgressReporter.redrawsStandardError ? "\r\u{1B}[2K" : ""
        guard let text = strdup(clear + "manifold: " + Sanitize.messageLine(note) + "\n") else { return }
        line.store(Int(bitPattern: text), ordering: .releasing)
        _ = installed
    }
}
