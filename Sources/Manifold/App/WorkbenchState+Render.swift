import Engine
import Foundation
import TerminalUI

/// Drawing of the workbench: tabs, the current screen, the status line and the help overlay.
extension WorkbenchState {
    static let minimumWidth = 60
    static let minimumHeight = 18

    static let helpEntries: [HelpOverlay.Entry] = [
        .init("Tab / 1-6", "switch screen"), .init("Space", "run / pause the shown job"),
        .init(". / >", "one step / ten steps"), .init("{ / }", "slower / faster: at most 100, 30, 10, 3, 1 steps a second"), .init("[ ]", "previous / next job on this screen"),
        .init("+ / -", "Train: learning rate x2 / ÷2 · Attack: eps · Sample (Langevin): step size · Compare: k"),
        .init("← →", "Attack: previous / next image · Home: dataset"),
        .init("a / d / b", "Train (AAE, WAE): update both / only the adversary / only the autoencoder"),
        .init("c / n", "Attack: robust accuracy over eps / next method (uap: the universal perturbation)"), .init("s", "save the weights now"),
        .init("e", "export the images as PNG"), .init("x", "stop the job"), .init("l / m", "log scale / smoothing"),
        .init("↑ ↓ Enter", "Home: start · Runs: attack or sample the run"), .init("t / e", "Runs: train 5 more epochs (resume) / evaluate on the test set now"),
        .init("v / r / d", "Runs: watch / reload / delete"), .init("mouse", "click a tab, a menu item or a run; wheel scrolls lists"),
        .init("Ctrl-Z", "suspend"), .init("q", "quit"),
    ]

    /// Work that must happen before drawing (reloading the runs list).
    mutating func prepareFrame() {
        if screen == .runs { runsList.refreshIfStale() }
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
        let header = Layout.horizontal([.fill(1), .length(22)]).split(rows[0])
        let tabs = Tabs(
            titles: Screen.allCases.map { "\($0.rawValue + 1) \($0.title)" }, selected: screen.rawValue,
            style: theme.mutedStyle,
            selectedStyle: Style(foreground: theme.background, background: theme.accent, attributes: .bold))
        buffer.render(tabs, in: header[0])
        for (screen, columns) in zip(Screen.allCases, tabs.columns(in: header[0])) {
            clicks.add(Rect(x: columns.lowerBound, y: header[0].y, width: columns.count, height: 1), .tab(screen))
        }
        buffer.render(Line("Manifold workbench ", style: theme.accentStyle, alignment: .right), in: header[1])
        switch screen {
        case .home: renderHome(in: rows[1], buffer: &buffer)
        case .train: renderTrain(in: rows[1], buffer: &buffer)
        case .sample: renderSample(in: rows[1], buffer: &buffer)
        case .attack: renderAttack(in: rows[1], buffer: &buffer)
        case .compare: renderCompare(in: rows[1], buffer: &buffer)
        case .runs: renderRuns(in: rows[1], buffer: &buffer)
        }
        buffer.render(statusLine, in: rows[2])
        if showHelp {
            buffer.render(
                HelpOverlay(
                    entries: WorkbenchState.helpEntries, style: theme.textStyle, keyStyle: theme.accentStyle,
                    borderStyle: Style(foreground: theme.accent)),
                in: buffer.area)
        }
    }

    private var statusLine: StatusLine {
        var left: [Span] = [
            Span(" q", style: Style(attributes: .bold)), Span(" quit  "),
            Span("?", style: Style(attributes: .bold)), Span(" keys  "),
        ]
        let snapshotMessage = active?.runner.snapshot.message ?? ""
        let shown = Date().timeIntervalSince(messageTime) < 4 ? message : snapshotMessage
        if !shown.isEmpty { left.append(Span(sanitized(shown))) }
        var right: [Span] = []
        if let job = active {
            let s = job.runner.snapshot
            right.append(Span(statusWord(s.status) + " ", style: Style(foreground: statusColor(s.status), attributes: .bold)))
            right.append(Span("\(job.title) · step \(s.step)/\(s.totalSteps) "))
        }
        return StatusLine(left: left, right: right, style: Style(foreground: theme.text, background: theme.border))
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

    func panel(_ title: String, _ area: Rect, _ buffer: inout Buffer, focused: Bool = false) -> Rect {
        let block = Block.themed(title, theme: theme, focused: focused)
        block.render(in: area, buffer: &buffer)
        return block.inner(area)
    }

    func imageMode(_ id: UInt32) -> ImageView.Mode {
        ImageView.Mode.preferred(colorDepth: colorDepth, kittyGraphics: kittyGraphics, id: id)
    }
}
