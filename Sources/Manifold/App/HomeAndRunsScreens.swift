import Engine
import Foundation
import TerminalUI

/// The Home screen (what to run, on which data, recent runs) and the Runs screen (saved runs).
extension WorkbenchState {
    func renderHome(in area: Rect, buffer: inout Buffer) {
        let columns = Layout.horizontal([.percentage(50), .fill(1)]).split(area)
        let left = Layout.vertical([.fill(1), .length(4)]).split(columns[0])
        let menu = panel("start a job", left[0], &buffer, focused: true)
        // Two rows per item (title, hint), scrolled so the selected item stays visible.
        let visibleItems = max(1, (menu.height - 2) / 2)
        let offset = home.selected >= visibleItems ? home.selected - visibleItems + 1 : 0
        clicks.add(menu, .homeList)
        var lines: [Line] = []
        for index in offset..<min(HomeMenu.items.count, offset + visibleItems) {
            let item = HomeMenu.items[index]
            let chosen = index == home.selected
            lines.append(Line([Span(chosen ? "› " : "  ", style: theme.accentStyle), Span(item.title, style: chosen ? theme.accentStyle : theme.textStyle)]))
            lines.append(Line("  " + item.hint, style: theme.mutedStyle))
            clicks.add(Rect(x: menu.x, y: menu.y + 2 * (index - offset), width: menu.width, height: 2).intersection(menu), .homeItem(index))
        }
        lines.append(Line(""))
        lines.append(Line("  ↑ ↓ choose · ← → dataset · Enter start" + (offset > 0 || HomeMenu.items.count > visibleItems ? " · more ↕" : ""), style: theme.mutedStyle))
        buffer.render(Paragraph(lines), in: menu)
        let datasetLine = Line([
            Span(" dataset: ", style: theme.mutedStyle), Span("‹ \(home.dataset) ›", style: theme.accentStyle),
            Span("  (" + home.datasets.joined(separator: ", ") + ")", style: theme.mutedStyle),
        ])
        buffer.render(Paragraph([datasetLine]), in: panel("data", left[1], &buffer))

        let runs = RunDirectory.list().suffix(12).reversed()
        let rows: [[String]] = runs.map { run in
            let config = try? run.readConfig()
            return [
                run.name, config?["model"]?.stringValue ?? "?",
                config?["test"]?["accuracy"]?.doubleValue.map { String(format: "%.4f", $0) } ?? "-",
            ]
        }
        let jobsText = jobs.enumerated().map { index, job in
            "\(shown[job.kind.screen] == index ? "›" : " ") \(job.kind.screen.title): \(job.title): \(statusWord(job.runner.snapshot.status)), step \(job.runner.snapshot.step)"
        }
        let right = Layout.vertical([.fill(1), .length(max(3, min(8, jobs.count + 2)))]).split(columns[1])
        buffer.render(
            Table(
                columns: [.init("recent run", width: .fill(3)), .init("model", width: .length(6)), .init("acc", width: .length(7), alignment: .right)],
                rows: rows, headerStyle: theme.accentStyle, style: theme.textStyle),
            in: panel("recent runs", right[0], &buffer))
        buffer.render(Paragraph(jobsText.isEmpty ? "none" : jobsText.joined(separator: "\n"), style: theme.textStyle), in: panel("jobs", right[1], &buffer))
    }

    func renderRuns(in area: Rect, buffer: inout Buffer) {
        let columns = Layout.horizontal([.percentage(60), .fill(1)]).split(area)
        let inner = panel("runs in \(RunDirectory.defaultRoot) (\(runsList.entries.count))", columns[0], &buffer, focused: true)
        if runsList.entries.isEmpty {
            buffer.render(Paragraph("No runs yet: train one (Home) or run 'manifold train mlp'.", style: theme.mutedStyle), in: inner)
        } else {
            let offset = Table.scrollOffset(
                selected: runsList.selected, current: runsList.scrollOffset, visibleRows: max(1, inner.height - 1),
                rowCount: runsList.entries.count)
            clicks.add(inner, .runsList)
            for row in 0..<max(0, min(inner.height - 1, runsList.entries.count - offset)) {
                clicks.add(Rect(x: inner.x, y: inner.y + 1 + row, width: inner.width, height: 1), .runRow(offset + row))
            }
            buffer.render(
                Table(
                    columns: [
                        .init("run", width: .fill(3)), .init("model", width: .length(6)), .init("data", width: .length(10)),
                        .init("ep", width: .length(3), alignment: .right), .init("acc", width: .length(7), alignment: .right),
                        .init("created", width: .length(19)),
                    ],
                    rows: runsList.entries.map { [$0.run.name, $0.model, $0.dataset, $0.epochs, $0.accuracy, $0.created] },
                    selected: runsList.selected, scrollOffset: offset, headerStyle: theme.accentStyle, style: theme.textStyle,
                    selectedStyle: Style(foreground: theme.background, background: theme.accent)),
                in: inner)
        }
        let entry = runsList.entries.indices.contains(runsList.selected) ? runsList.entries[runsList.selected] : nil
        var detailsArea = columns[1]
        // The newest evaluation of the selected run, if one was started (e).
        if let entry, let evaluation = jobs.last(where: { $0.kind == .evaluation && $0.run?.path == entry.run.path }) {
            let s = evaluation.runner.snapshot
            let parts = Layout.vertical([.length(s.figures.count + 3), .fill(1)]).split(columns[1])
            detailsArea = parts[1]
            var lines = s.figures.map { "\($0.name): \($0.value)" }
            if case .failed(let reason) = s.status { lines = ["failed: \(reason)"] }
            buffer.render(
                Paragraph(lines.joined(separator: "\n"), style: theme.textStyle, overflow: .wrap),
                in: panel("evaluation now · \(statusWord(s.status))", parts[0], &buffer, focused: true))
        }
        buffer.render(
            Paragraph(
                (entry?.details ?? []).joined(separator: "\n")
                    + "\n\n↑ ↓ select · Enter attack (classifier) or sample (generative) · t train 5 more epochs · e evaluate now · v watch · r reload · d delete",
                style: theme.textStyle, overflow: .wrap),
            in: panel("config.json", detailsArea, &buffer))
    }
}
