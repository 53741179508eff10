import Engine
import Foundation
import Models
import TerminalUI

/// The Runs screen: the saved runs with model, dataset, epochs, accuracy and date; the selected run's
/// config.json; and the newest evaluation of it. Enter opens a run (attack a classifier, sample a
/// generative model), `t` trains it five more epochs, `e` evaluates it now, `v` watches it, `r`
/// reloads, `d` deletes after a y / n question.
final class RunsScreen: WorkbenchScreen {
    private(set) var browser: RunsBrowser

    /// - Parameter runsRoot: the folder whose runs are listed.
    init(runsRoot: String) {
        browser = RunsBrowser(root: runsRoot)
    }

    let title = "Runs"
    var jobKinds: Set<Job.Kind> { [.evaluation] }
    var capturesKeys: Bool { browser.confirmingDelete }

    func question(width: Int) -> String? { browser.deleteQuestion(width: width) }

    var helpEntries: [HelpOverlay.Entry] {
        [
            .init("↑ ↓ PgUp PgDn", "select a run (ten at a time)"),
            .init("Enter", "attack (classifier) or sample (generative) the run"),
            .init("t / e", "train 5 more epochs (resume) / evaluate on the test set now"),
            .init("v / r / d, Delete", "watch / reload / delete"),
            .init("R", "robustness of a classifier run: accuracy over eps, worst case, sanity flags"),
        ]
    }

    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {
        if browser.confirmingDelete {
            workbench.message = browser.confirm(key: key)
            return
        }
        browser.refreshIfStale()
        guard browser.entries.indices.contains(browser.selected) else {
            answer(key, workbench: &workbench)
            return
        }
        let entry = browser.entries[browser.selected]
        switch key.key {
        case .enter:
            if let problem = entry.problem {
                // Not "cannot be sampled": say what is wrong with the file.
                workbench.message = problem
            } else if Classifier.Kind(rawValue: entry.model) != nil {
                workbench.start { try Job.attack(run: entry.run, running: true) }
            } else if GenerativeKind(rawValue: entry.model) == nil {
                // A model this build does not know was said to be "not a model that can be sampled", as if
                // it were a classifier or PCA: say that it is neither kind.
                let known = Classifier.Kind.allCases.map(\.rawValue) + GenerativeKind.allCases.map(\.rawValue)
                workbench.message = RunKindMismatch.message(
                    run: entry.run.name, model: entry.model, isNot: "a model Manifold knows", kinds: known)
            } else {
                workbench.start { try Job.sample(run: entry.run, running: true) }
            }
        case .character("v"): workbench.start { try Job.watch(run: entry.run) }
        case .character("t"): workbench.start { try Job.resume(run: entry.run, running: true) }
        case .character("e"):
            // One evaluation of a run at a time: each loads the run's data and model (Fashion-MNIST about 220 MB),
            // and `e` held down started dozens at once (30 held 6.3 GB), of which this screen shows the newest.
            workbench.startOnce(
                matching: { $0.kind == .evaluation && $0.run?.path == entry.run.path },
                already: "e: \(entry.run.name) is being evaluated already; the figures show here when done"
            ) { Job.evaluate(run: entry.run) }
        case .character("R") where Classifier.Kind(rawValue: entry.model) != nil:
            workbench.start { try Job.robustness(run: entry.run, running: true) }
        case .character("R"):
            workbench.message =
                entry.problem ?? "R: robustness needs a classifier run (\(entry.run.name): model \(entry.model))"
        default: answer(key, workbench: &workbench)
        }
    }

    /// The browser's keys (selection, reload, delete); any other key says it does nothing here.
    private func answer(_ key: KeyEvent, workbench: inout WorkbenchState) {
        if let message = browser.handle(key: key) {
            workbench.message = message
        } else if !RunsBrowser.selectionKeys.contains(key.key) {
            workbench.sayUnused(key)
        }
    }

    func click(item index: Int) {
        browser.selected = min(index, max(0, browser.entries.count - 1))
    }

    func scroll(by delta: Int) {
        browser.selected = max(0, min(max(0, browser.entries.count - 1), browser.selected + delta))
    }

    func prepareFrame(workbench: WorkbenchState) {
        browser.refreshIfStale()
    }

    func render(in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let columns = Layout.horizontal([.percentage(60), .fill(1)]).split(area)
        let inner = workbench.panel(
            "runs in \(browser.root) (\(browser.entries.count))", columns[0], &buffer, focused: true)
        if browser.entries.isEmpty {
            buffer.render(
                Paragraph("No runs yet: train one (Home) or run 'manifold train mlp'.", style: theme.mutedStyle),
                in: inner)
        } else {
            let offset = Table.scrollOffset(
                selected: browser.selected, current: browser.scrollOffset, visibleRows: max(1, inner.height - 1),
                rowCount: browser.entries.count)
            // Kept, so that the list moves only as far as the selection needs: worked out from the selection
            // alone, a click on a row of a list scrolled down made it jump back to the top.
            browser.scrollOffset = offset
            workbench.clicks.add(inner, .list)
            for row in 0..<max(0, min(inner.height - 1, browser.entries.count - offset)) {
                workbench.clicks.add(
                    Rect(x: inner.x, y: inner.y + 1 + row, width: inner.width, height: 1), .item(offset + row))
            }
            // Run names are cut in the middle (`mlp-synthetic-20261204-201016-2` and `...-201017` differ at the
            // end). The date is shown only where it leaves the names 20 columns (or the longest one's); in a
            // narrow list the epochs, then the data, give way too, so that the names keep 12 columns (or the
            // longest one's) rather than three letters and an ellipsis. The other columns are as wide as their
            // widest entry (at most their usual width), so that the names get every column left.
            let longest = browser.entries.map { CharacterWidth.of($0.run.name) }.max() ?? 0
            func fitted(_ title: String, _ usual: Int, _ value: (RunsBrowser.Entry) -> String) -> Int {
                Table.fittedWidth(title, browser.entries.map(value), atMost: usual)
            }
            let model = fitted("model", 6, \.model)
            let data = fitted("data", 10, \.dataset)
            let epochs = fitted("ep", 3, \.epochs)
            let accuracy = fitted("acc", 7, \.accuracy)
            let created = fitted("created", 19, \.created)
            let wanted = [
                ("created", created, min(20, longest)), ("ep", epochs, min(12, longest)),
                ("data", data, min(12, longest)),
            ]
            // The columns beside the name and a space before each.
            var others = model + data + epochs + accuracy + created + 5
            var dropped: Set<String> = []
            for (name, width, room) in wanted where inner.width - others < room {
                others -= width + 1
                dropped.insert(name)
            }
            let columns: [(column: Table.Column, cell: (RunsBrowser.Entry) -> String)] = [
                (.init("run", width: .fill(3), truncation: .middle), { $0.run.name }),
                (.init("model", width: .length(model)), { $0.model }),
                (.init("data", width: .length(data)), { $0.dataset }),
                (.init("ep", width: .length(epochs), alignment: .right), { $0.epochs }),
                (.init("acc", width: .length(accuracy), alignment: .right), { $0.accuracy }),
                (.init("created", width: .length(created)), { $0.created }),
            ].filter { !dropped.contains($0.column.title) }
            buffer.render(
                Table(
                    columns: columns.map(\.column),
                    rows: browser.entries.map { entry in columns.map { $0.cell(entry) } },
                    selected: browser.selected, scrollOffset: offset, headerStyle: theme.accentStyle,
                    style: theme.textStyle, selectedStyle: theme.selectionStyle
                ),
                in: inner)
        }
        let entry = browser.entries.indices.contains(browser.selected) ? browser.entries[browser.selected] : nil
        var detailsArea = columns[1]
        // The newest evaluation of the selected run, if one was started (e).
        if let entry,
            let evaluation = workbench.jobs.last(where: { $0.kind == .evaluation && $0.run?.path == entry.run.path })
        {
            let s = evaluation.runner.snapshot
            var lines = s.figures.map { "\($0.name): \($0.value)" }
            if case .failed(let reason) = s.status { lines = ["failed: \(reason)"] }
            // As tall as the lines wrapped to the panel (config.json keeps three rows below): it was as tall as
            // the figures, and a failure, one long line, showed "failed: /tmp/runs/m/model.sa" and no reason.
            let rows = lines.map { wrapped($0, width: max(1, columns[1].width - 2)).count }.reduce(0, +)
            let height = min(rows + 3, max(3, columns[1].height - 3))
            let parts = Layout.vertical([.length(height), .fill(1)]).split(columns[1])
            detailsArea = parts[1]
            buffer.render(
                Paragraph(lines.joined(separator: "\n"), style: theme.textStyle, overflow: .wrap),
                in: workbench.panel(
                    "evaluation now · \(workbench.statusWord(s.status))", parts[0], &buffer, focused: true))
        }
        buffer.render(
            Paragraph(
                (entry?.details ?? []).joined(separator: "\n")
                    + "\n\n↑ ↓ select · Enter attack (classifier) or sample (generative) · t train 5 more epochs · e evaluate now · v watch · r reload · d delete · R robustness",
                style: theme.textStyle, overflow: .wrap),
            in: workbench.panel("config.json", detailsArea, &buffer))
    }
}
