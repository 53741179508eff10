import Attacks
import Engine
import TerminalUI

/// The gradient-masking sanity checks of an evaluation as a panel, shared by the Attack lab and the
/// Robustness screen: one line per check with its figure, fired ones first, each followed by what it
/// suggests; the title says how many fired.
struct SanityPanel {
    let checks: [SanityFlag]
    let lines: [Line]

    init(_ checks: [SanityFlag], theme: Theme) {
        self.checks = checks
        let ordered = checks.filter(\.fired) + checks.filter { !$0.fired }
        lines = ordered.flatMap { flag -> [Line] in
            let mark: Span =
                switch flag.status {
                case .fired: Span("FLAG ", style: theme.warningStyle)
                case .clear: Span("ok   ", style: theme.mutedStyle)
                case .skipped: Span("skip ", style: theme.mutedStyle)
                }
            let line = Line([mark, Span("\(flag.check.rawValue): \(flag.figure)", style: theme.textStyle)])
            guard flag.fired else { return [line] }
            return [line, Line([Span("     → \(flag.check.suggestion)", style: theme.accentStyle)])]
        }
    }

    /// The layout row the panel takes: none before the checks ran or for no lines, else up to
    /// `maximumLines` lines plus the border.
    func rows(maximumLines: Int) -> [Constraint] {
        lines.isEmpty || maximumLines < 1 ? [] : [.length(min(lines.count, maximumLines) + 2)]
    }

    /// The fewest lines the panel may give up to: one while a check fired, which must stay in sight,
    /// else none (the panel may go).
    var minimumLines: Int { checks.contains(where: \.fired) ? 1 : 0 }

    /// Draws the panel in `area`; when it has fewer rows than lines, its last row ends in `+N more`, N the
    /// lines left out.
    func render(in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let fired = checks.filter(\.fired).count
        let inner = workbench.panel(
            "sanity checks · " + (fired == 0 ? "none fired" : "\(fired) fired: the figures may overstate robustness"),
            area, &buffer)
        buffer.render(Paragraph(lines), in: inner)
        let hidden = lines.count - inner.height
        guard hidden > 0, inner.height > 0 else { return }
        // The last line shown is cut before the marker (with its "…"), not overwritten by it mid-word.
        let marker = " +\(hidden) more"
        let row = inner.bottom - 1
        let room = max(0, inner.width - marker.count)
        buffer.fill(Rect(x: inner.x, y: row, width: inner.width, height: 1))
        lines[inner.height - 1].render(x: inner.x, y: row, width: room, buffer: &buffer)
        buffer.setString(
            marker, x: max(inner.x, inner.right - marker.count), y: row,
            style: workbench.theme.accentStyle, maxWidth: inner.width)
    }
}
