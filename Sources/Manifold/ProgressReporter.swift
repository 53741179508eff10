import Base
import Engine
import Foundation

/// Headless progress on stderr: a redrawn bar with rate and ETA when stderr is a terminal, one plain
/// line per epoch otherwise (so logs and CI output stay readable).
final class ProgressReporter {
    private let isTerminal = isatty(STDERR_FILENO) == 1
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
            format: "\r\u{1B}[2K%@ %@ %3d%% %d/%d  %.0f steps/s  ETA %@  %@", label, bar, Int(fraction * 100), done,
            total, rate, ProgressReporter.clock(eta), detail)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A line that stays: the end of an epoch.
    func log(_ line: String) {
        guard !quiet else { return }
        let prefix = isTerminal ? "\r\u{1B}[2K" : ""
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Writes one line to stderr. Messages quote file contents, paths and arguments, so control characters
/// and escape sequences (OSC 52 clipboard writes, title changes) are made inert here, for every error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("manifold: " + Sanitize.line(message, limit: 4000) + "\n").utf8))
}
