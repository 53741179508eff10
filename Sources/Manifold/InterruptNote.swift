import Base
import Foundation
import Synchronization

/// Ctrl-C in a command that writes its files only once its work is done (`attack`, `sample`, `poison`,
/// `compare`, `defend`, `eval`, `bench`): the process ends at once with exit status 130, after one line on stderr that
/// says it was interrupted and what was or was not written. The command keeps that line current as it
/// goes (`set(_:)` before each phase). Files are written atomically (a temporary file renamed into
/// place), so one being written when the signal comes is whole or absent. `train` instead stops
/// between steps to say which epoch is saved (`InterruptFlag`).
enum InterruptNote {
    /// The address of the line to print: a C string made by `set`, never freed (a handful per process).
    private static let line = Atomic<Int>(0)

    /// The handler: writes the current line and ends the process (both async-signal-safe calls).
    private static let installed: Void = {
        signal(SIGINT) { _ in
            if let text = UnsafePointer<CChar>(bitPattern: InterruptNote.line.load(ordering: .acquiring)) {
                _ = write(STDERR_FILENO, text, strlen(text))
            }
            _exit(130)
        }
    }()

    /// Makes `note` the line Ctrl-C prints from now on (prefixed `manifold: `, like errors); installs the
    /// handler on first use. A progress bar on a terminal is cleared first.
    static func set(_ note: String) {
        let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[2K" : ""
        guard let text = strdup(clear + "manifold: " + Sanitize.line(note, limit: 4000) + "\n") else { return }
        line.store(Int(bitPattern: text), ordering: .releasing)
        _ = installed
    }
}
