import Base
import Foundation
import Synchronization

/// Ctrl-C during a headless training: the first SIGINT only raises a flag, so the training loop can
/// stop between steps and say which epoch is saved and how to resume; a second one ends the process at
/// once (the default action), after removing the new run's folder if it is still empty and the run's lock file.
/// SIGTERM and SIGHUP (`kill`, `timeout`, a closed terminal) end it at once as before, with the same removals,
/// and so does SIGPIPE (the reader of its output gone). Those endings but SIGPIPE's print the line `setNote`
/// keeps current (which epoch is saved, how to continue). A signal the process was started to ignore stays
/// ignored.
enum InterruptFlag {
    private static let raised = Atomic<Bool>(false)
    /// The address of the folder a second Ctrl-C removes when empty: a C string made by `install`, never
    /// freed (one per process); 0 for none.
    private static let emptyFolder = Atomic<Int>(0)
    /// The same for the run's lock file, which a second Ctrl-C removes as releasing the lock would.
    private static let lockFile = Atomic<Int>(0)
    /// The same for the line printed on the way out: a C string made by `setNote`, never freed (one per
    /// saved epoch); 0 for none.
    private static let note = Atomic<Int>(0)

    /// Makes `text` the line (prefixed `manifold: `, like errors) that SIGTERM, SIGHUP or a second Ctrl-C
    /// prints before the process ends. A progress bar on a terminal is cleared first.
    static func setNote(_ text: String) {
        let clear = ProgressReporter.redrawsStandardError ? "\r\u{1B}[2K" : ""
        guard let line = strdup(clear + "manifold: " + Sanitize.messageLine(text) + "\n") else { return }
        note.store(Int(bitPattern: line), ordering: .releasing)
    }

    /// Installs the handler; called again once the run's folder and lock are known. `removingIfEmpty`: the folder of a new run, which a second
    /// Ctrl-C before its first epoch is saved removes as the first one's stop would (`rmdir` removes only
    /// an empty folder, so a run with a saved epoch stays); `lockFile`: the run's lock file.
    static func install(removingIfEmpty folder: String? = nil, lockFile lock: String? = nil) {
        if let folder, let text = strdup(folder) {
            emptyFolder.store(Int(bitPattern: text), ordering: .releasing)
        }
        if let lock, let text = strdup(lock) {
            lockFile.store(Int(bitPattern: text), ordering: .releasing)
        }
        let previousInterrupt = signal(SIGINT) { number in
            guard InterruptFlag.raised.exchange(true, ordering: .relaxed) else { return }
            InterruptFlag.removeAndEnd(number)
        }
        // A training started in the background of a script (`manifold train ... &`, where the shell ignores
        // SIGINT for it) or with `trap '' INT` is not for the terminal's Ctrl-C to stop: it stays ignored.
        if isIgnoring(previousInterrupt) { signal(SIGINT, SIG_IGN) }
        // SIGPIPE: a reader gone (`manifold train ... 2>&1 | head -1`) ends it the same way, but quietly.
        for number in [SIGTERM, SIGHUP, SIGPIPE] {
            let previous = signal(number) { number in InterruptFlag.removeAndEnd(number) }
            // A signal the process was started to ignore (`nohup` and SIGHUP, `trap '' PIPE`) stays ignored.
            if isIgnoring(previous) { signal(number, SIG_IGN) }
        }
    }

    /// Whether `action`, a handler `signal` returned, is SIG_IGN.
    private static func isIgnoring(_ action: __sighandler_t?) -> Bool {
        guard let action else { return false }
        return unsafeBitCast(action, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Removes the empty run folder and the lock file, prints the note (not for SIGPIPE, whose pipe may be
    /// stderr itself), then ends the process by `number`'s default action. Async-signal-safe calls only:
    /// atomic loads, rmdir, unlink, write, signal and raise.
    private static func removeAndEnd(_ number: Int32) {
        if let path = UnsafePointer<CChar>(bitPattern: emptyFolder.load(ordering: .acquiring)) {
            rmdir(path)
        }
        if let path = UnsafePointer<CChar>(bitPattern: lockFile.load(ordering: .acquiring)) {
            unlink(path)
        }
        if number != SIGPIPE, let text = UnsafePointer<CChar>(bitPattern: note.load(ordering: .acquiring)) {
            _ = write(STDERR_FILENO, text, strlen(text))
        }
        // Delivered once the handler returns, with the default action: the process ends.
        signal(number, SIG_DFL)
        raise(number)
    }

    static var isRaised: Bool { raised.load(ordering: .relaxed) }
}
