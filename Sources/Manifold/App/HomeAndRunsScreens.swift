import Engine
import Foundation
import TerminalUI

/// The Home screen (what to run, on which data, recent runs) and the Runs screen (saved runs).
extension WorkbenchState {
    func renderHome(in area: Rect, buffer: inout Buffer) {
        let columns = Layout.horizontal([.percentage(50), .fill(1)]).split(area)
        let left = Layout.vertical([.fill(1), .length(4)]).split(columns[0])
        var lines: [Line] = []
        for (index, item) in HomeMenu.items.enumerated() {
            let chosen = index == home.selected
            lines.append(Line([Span(chosen ? "› " : "  ", style: theme.accentStyle), Span(item.title, style: chosen ? theme.accentStyle : theme.textStyle)]))
            lines.append(Line("  " + item.hint, style: theme.mutedStyle))
        }
        lines.append(Line(""))
        lines.append(Line("  ↑ ↓ choose · ← → dataset · Enter start", style: theme.mutedStyle))
        buffer.render(Paragraph(lines, overflow: .wrap), in: panel("start a job", left[0], &buffer, focused: true))
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
        let details = runsList.entries.indices.contains(runsList.selected) ? runsList.entries[runsList.selected].details : []
        buffer.render(
            Paragraph(details.joined(separator: "\n") + "\n\n↑ ↓ select · Enter attack (classifier) or sample (generative) · t train 5 more epochs · v watch · r reload · d delete", style: theme.textStyle, overflow: .wrap),
            in: panel("config.json", columns[1], &buffer))
    }
}
