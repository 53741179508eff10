import Base
import Engine
import Foundation
import TerminalUI

/// Headless progress on stderr: a redrawn bar with rate and ETA when stderr is a terminal, one plain
/// line per epoch otherwise (so logs and CI output stay readable).
final class ProgressReporter {
    /// Whether stderr is a terminal that can redraw a line (`\r` and `ESC[2K`): a terminal, but not one with
    /// `TERM=dumb` (Emacs' shell, CI logs run on a pty), which would print the escape sequences as text;
    /// the workbench and a bare `manifold` take `TERM=dumb` for no terminal too.
    static let redrawsStandardError =
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    private let isTerminal = ProgressReporter.redrawsStandardError
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let quiet: Bool

    init(label: String, quiet: Bool = false) {
        self.label = Sanitize.line(label, limit: 80)
        self.quiet = quiet
    }

    /// Redraws the bar (at most 10 times a second); silent when stderr is not a terminal.
    func update(done: Int, total: Int, detail: String) {
        guard isTerminal, !quiet else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(
            format: "\r\u{1B}[2K%@ %@ %3d%% %d/%d  %@  ETA %@  %@", label, bar, Int(fraction * 100), done,
            total, StepRateText.format(rate), ClockText.format(eta), detail)
        writeStandardError(line)
    }

    /// A line that stays: the end of an epoch; `always` prints it also under --quiet (an interruption).
    func log(_ line: String, always: Bool = false) {
        guard !quiet || always else { return }
        let prefix = isTerminal ? "\r\u{1B}[2K" : ""
        writeStandardError(prefix + line + "\n")
    }
}
