import Engine
import Foundation
import TerminalUI

/// The Home screen: a menu of jobs to start, the dataset they train on, the most recent runs and the
/// jobs started so far (each with the screen that shows it).
final class HomeScreen: WorkbenchScreen {
    var menu: HomeMenu
    private(set) var recent: RecentRuns
    /// The first menu item in view.
    private var menuOffset = 0

    /// - Parameters:
    ///   - runsRoot: the folder whose runs "recent runs" lists.
    ///   - menu: the menu (its datasets probed on disk unless given).
    init(runsRoot: String, menu: HomeMenu = HomeMenu()) {
        recent = RecentRuns(root: runsRoot)
        self.menu = menu
    }

    let title = "Home"
    let listsJobs = true

    var helpEntries: [HelpOverlay.Entry] {
        [.init("↑ ↓ Enter", "choose and start a job"), .init("← →", "dataset")]
    }

    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {
        switch key.key {
        case .up: menu.move(-1)
        case .down: menu.move(1)
        case .left: menu.cycleDataset(-1)
        case .right: menu.cycleDataset(1)
        case .enter:
            workbench.dataSpec = menu.dataset
            let data = workbench.dataSpec
            let item = menu.selectedItem
            workbench.start { try item.makeJob(data) }
        default: workbench.sayUnused(key)
        }
    }

    func click(item index: Int) {
        menu.selected = max(0, min(HomeMenu.items.count - 1, index))
    }

    func scroll(by delta: Int) {
        menu.selected = max(0, min(HomeMenu.items.count - 1, menu.selected + delta))
    }

    func prepareFrame(workbench: WorkbenchState) {
        recent.refreshIfStale()
    }

    func render(in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let columns = Layout.horizontal([.percentage(50), .fill(1)]).split(area)
        let left = Layout.vertical([.fill(1), .length(4)]).split(columns[0])
        let inner = workbench.panel("start a job", left[0], &buffer, focused: true)
        // Two rows per item (title, hint), scrolled so the selected item stays visible.
        let items = HomeMenu.items
        let visibleItems = max(1, (inner.height - 2) / 2)
        // Kept between frames, so that a click on an item of a menu scrolled down does not make it jump back.
        let offset = Table.scrollOffset(
            selected: menu.selected, current: menuOffset, visibleRows: visibleItems, rowCount: items.count)
        menuOffset = offset
        workbench.clicks.add(inner, .list)
        var lines: [Line] = []
        for index in offset..<min(items.count, offset + visibleItems) {
            let item = items[index]
            let chosen = index == menu.selected
            lines.append(
                Line([
                    Span(chosen ? "› " : "  ", style: theme.accentStyle),
                    Span(item.title, style: chosen ? theme.accentStyle : theme.textStyle),
                ]))
            lines.append(Line("  " + item.hint, style: theme.mutedStyle))
            workbench.clicks.add(
                Rect(x: inner.x, y: inner.y + 2 * (index - offset), width: inner.width, height: 2).intersection(inner),
                .item(index))
        }
        lines.append(Line(""))
        let more = offset > 0 || items.count > visibleItems ? " · more ↕" : ""
        lines.append(Line("  ↑ ↓ choose · ← → dataset · Enter start" + more, style: theme.mutedStyle))
        buffer.render(Paragraph(lines), in: inner)
        let datasetLine = Line([
            Span(" dataset: ", style: theme.mutedStyle), Span("‹ \(menu.dataset) ›", style: theme.accentStyle),
            Span("  (" + menu.datasets.joined(separator: ", ") + ")", style: theme.mutedStyle),
        ])
        buffer.render(Paragraph([datasetLine]), in: workbench.panel("data", left[1], &buffer))

        let rows = recent.entries.map { [$0.run.name, $0.model, $0.accuracy] }
        let jobsText = workbench.jobs.enumerated().map { index, job in
            let screen = workbench.screenIndex(for: job.kind)
            let marker = screen.map { workbench.shown[$0] == index } == true ? "›" : " "
            let s = job.runner.snapshot
            return
                "\(marker) \(workbench.screenTitle(of: job)): \(job.title): \(workbench.statusWord(of: s)), \(s.progressCountsSteps ? "step \(s.step)" : s.progressText)"
        }
        let right = Layout.vertical([.fill(1), .length(max(3, min(8, workbench.jobs.count + 2)))]).split(columns[1])
        buffer.render(
            Table(
                // Names cut in the middle (they differ at the end, in the time), beside columns as wide as
                // their entries.
                columns: [
                    .init("recent run", width: .fill(3), truncation: .middle),
                    .init("model", width: .length(Table.fittedWidth("model", rows.map { $0[1] }, atMost: 6))),
                    .init(
                        "acc", width: .length(Table.fittedWidth("acc", rows.map { $0[2] }, atMost: 7)),
                        alignment: .right),
                ],
                rows: rows, headerStyle: theme.accentStyle, style: theme.textStyle),
            in: workbench.panel("recent runs", right[0], &buffer))
        // One row a job, cut with an ellipsis (wrapped rows pushed the later jobs out of the panel); when
        // there are more jobs than rows, the newest ones and a first row counting the others.
        let jobsArea = workbench.panel("jobs", right[1], &buffer)
        var jobLines = jobsText.isEmpty ? ["none"] : jobsText
        if jobLines.count > jobsArea.height, jobsArea.height > 0 {
            let hidden = jobLines.count - (jobsArea.height - 1)
            jobLines = ["+\(hidden) earlier"] + jobLines.suffix(jobsArea.height - 1)
        }
        buffer.render(
            Paragraph(jobLines.map { Line(sanitized($0), style: theme.textStyle) }, overflow: .truncate),
            in: jobsArea)
    }
}
