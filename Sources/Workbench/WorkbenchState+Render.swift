import Engine
import Foundation
import TerminalUI

/// Drawing of the workbench: the tab bar, the current screen, the status line and the help overlay.
extension WorkbenchState {
    static let minimumWidth = 60
    static let minimumHeight = 18

    /// Keys every screen has, before the screens' own in the help overlay.
    static let sharedHelpEntries: [HelpOverlay.Entry] = [
        .init("Enter", "with no job on a job screen: start its default job (the screen's text says which)"),
        .init("Space", "run / pause the shown job"), .init(". / >", "one step / ten steps"),
        .init("{ / }", "slower / faster: at most 100, 30, 10, 3, 1 steps a second"),
        .init("[ ]", "previous / next job on this screen"), .init("s", "save the weights now"),
        .init("e", "export the images as PNG"), .init("x", "stop the job"),
        .init("l / m", "log scale / smoothing of Train's loss chart"),
    ]

    /// The help overlay's lines: switching screens, the shown screen's own keys, the job keys, the other
    /// screens' own keys (in tab order), each prefixed with its screen's title, then the mouse, suspend and
    /// quit. The shown screen's come first: in tab order, on a 60x18 terminal Runs' keys were on page 5 of 6.
    var helpEntries: [HelpOverlay.Entry] {
        let own = { (screen: any WorkbenchScreen) in
            screen.helpEntries.map { HelpOverlay.Entry($0.keys, "\(screen.title): \($0.action)") }
        }
        return [.init("Tab / Shift-Tab / 1-\(screens.count)", "switch screen")] + own(screen)
            + WorkbenchState.sharedHelpEntries
            + screens.indices.filter { $0 != current }.flatMap { own(screens[$0]) }
            + [
                .init("mouse", "click a tab, a menu item or a run; wheel scrolls lists"), .init("Ctrl-Z", "suspend"),
                .init("q", "quit"),
            ]
    }

    /// Work that must happen before drawing (the shown screen reloading a list).
    func prepareFrame() {
        screen.prepareFrame(workbench: self)
    }

    func render(into buffer: inout Buffer) {
        clicks.clear()
        buffer.setStyle(theme.textStyle, in: buffer.area)
        if buffer.showTooSmallIfNeeded(
            minimumWidth: WorkbenchState.minimumWidth, minimumHeight: WorkbenchState.minimumHeight,
            style: theme.warningStyle)
        {
            return
        }
        let rows = Layout.vertical([.length(1), .fill(1), .length(1)]).split(buffer.area)
        // Every tab stays in view: the name on the right gives way first, then the other screens' titles
        // (their numbers stay), rather than the last tabs being cut off.
        var titles = screens.enumerated().map { "\($0.offset + 1) \($0.element.title)" }
        let tabsWidth = titles.map { CharacterWidth.of(" \($0) ") + 1 }.reduce(-1, +)
        let brand = "Manifold workbench "
        let showsBrand = tabsWidth + 3 + CharacterWidth.of(brand) <= rows[0].width
        if tabsWidth > rows[0].width {
            titles = titles.indices.map { $0 == current ? titles[$0] : "\($0 + 1)" }
        }
        let header = Layout.horizontal([.fill(1), .length(showsBrand ? 22 : 0)]).split(rows[0])
        let tabs = Tabs(
            titles: titles, selected: current, style: theme.mutedStyle,
            selectedStyle: theme.selectionStyle.adding(.bold))
        buffer.render(tabs, in: header[0])
        for (index, columns) in tabs.columns(in: header[0]).enumerated() {
            clicks.add(Rect(x: columns.lowerBound, y: header[0].y, width: columns.count, height: 1), .tab(index))
        }
        if showsBrand {
            buffer.render(Line(brand, style: theme.accentStyle, alignment: .right), in: header[1])
        }
        screen.render(in: rows[1], buffer: &buffer, workbench: self)
        buffer.render(statusLine(width: rows[2].width), in: rows[2])
        if showHelp {
            let overlay = HelpOverlay(
                entries: helpEntries, style: theme.textStyle, keyStyle: theme.accentStyle,
                borderStyle: Style(foreground: theme.accent), page: helpPage)
            helpPages.count = overlay.pageCount(in: buffer.area)
            buffer.render(overlay, in: buffer.area)
        }
    }

    /// The status line: the key hints and the message on the left, the shown job's state, title and step on
    /// the right. The message comes first: when it does not fit whole in `width`, the job's title goes, then
    /// the hints, so that only a message too long for the whole line is cut. A title too long for the right
    /// half is cut in its middle, so that the step stays whole.
    private func statusLine(width: Int) -> StatusLine {
        let hints: [Span] = [
            Span(" q", style: Style(attributes: .bold)), Span(" quit  "),
            Span("?", style: Style(attributes: .bold)), Span(" keys  "),
        ]
        let snapshotMessage = active?.runner.snapshot.message ?? ""
        // A pending question stays until answered, fitted to the line (the last choice below adds a space).
        let shown =
            screen.question(width: width - 1)
            ?? (messageIsFresh ? message : snapshotMessage)
        var full: [Span] = []
        var compact: [Span] = []
        if let job = active {
            let s = job.runner.snapshot
            let word = Span(
                statusWord(of: s) + " ", style: Style(foreground: statusBarColor(s.status), attributes: .bold))
            let step = s.progressText + " "
            compact = [word, Span(step)]
            // The right side gets half the line at most (StatusLine cuts it there): the title gives way, cut in the
            // middle as the Runs screen cuts run names, never the step (at 120 columns the Attack lab's showed
            // "... · step 100/10…"); with fewer than 8 of its columns left it goes.
            let title = sanitized(job.title)
            let room = width / 2 - Line([word]).width - CharacterWidth.of(" · " + step)
            full =
                room >= min(8, CharacterWidth.of(title))
                ? [word, Span(truncatedMiddle(title, toWidth: room) + " · " + step)] : compact
        }
        let style = Style(foreground: statusBarText, background: theme.border)
        guard !shown.isEmpty else { return StatusLine(left: hints, right: full, style: style) }
        let text = sanitized(shown)
        let choices: [(left: [Span], right: [Span])] = [
            (hints + [Span(text)], full), (hints + [Span(text)], compact), ([Span(" " + text)], compact),
        ]
        let fits = choices.first { choice in
            // The right side never takes more than half the line (StatusLine cuts it there).
            let right = min(Line(choice.right).width, width / 2)
            return Line(choice.left).width + right + (right > 0 ? 1 : 0) <= width
        }
        let (left, right) = fits ?? choices[choices.count - 1]
        return StatusLine(left: left, right: right, style: style)
    }

    /// The status line's text colour: the theme's text, or its background where the text is hard to read
    /// on the bar (the border colour; high-contrast has white text and white borders).
    var statusBarText: Color {
        let text = theme.text.contrastRatio(with: theme.border) ?? 21
        let background = theme.background.contrastRatio(with: theme.border) ?? 0
        return text >= 3 || text >= background ? theme.text : theme.background
    }

    /// The status word's colour on the status line: its status colour where that reads on the bar, else
    /// the bar's text colour (the word is bold either way).
    func statusBarColor(_ status: Snapshot.Status) -> Color {
        let color = statusColor(status)
        return (color.contrastRatio(with: theme.border) ?? 21) >= 3 ? color : statusBarText
    }

    /// The state word of a job from its snapshot: the status's word, or while it runs without advancing what
    /// it follows, what it says instead (a watched run nobody trains: "not being trained").
    func statusWord(of s: Snapshot) -> String {
        s.status == .running ? s.notAdvancing ?? statusWord(s.status) : statusWord(s.status)
    }

    func statusWord(_ status: Snapshot.Status) -> String {
        switch status {
        case .preparing: return "loading"
        case .running: return "running"
        case .paused: return "paused"
        case .finished: return "finished"
        case .stopped: return "stopped"
        case .failed: return "failed"
        }
    }

    func statusColor(_ status: Snapshot.Status) -> Color {
        switch status {
        case .running, .preparing: return theme.accent
        case .failed: return theme.warning
        default: return theme.muted
        }
    }
}
