import Attacks
import Engine
import Foundation
import TerminalUI

/// The Robustness screen: robust accuracy over eps for each attack and their per-image worst case, the
/// gradient-masking sanity checks, and for an adversarially trained run its clean / FGSM / PGD accuracy
/// per epoch with the epoch where catastrophic overfitting set in marked.
final class RobustnessScreen: JobScreen {
    let title = "Robustness"
    var jobKinds: Set<Job.Kind> { [.robustness] }

    var helpEntries: [HelpOverlay.Entry] {
        [
            .init("x", "cancel the evaluation"), .init("Runs: R", "evaluate the selected classifier run"),
            .init("t", "threat models: this run and one trained the other way under L-inf, L2, spatial and LPA"),
        ]
    }

    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {
        if key.key == .character("t"), let run = workbench.active?.run {
            // One table of a run at a time: the table is shown here, so `t` held down started one a repeat (30
            // held 2.2 GB), each loading both classifiers and the data.
            workbench.startOnce(
                matching: { Job.isThreatComparison($0) && $0.run?.path == run.path },
                already: "t: the threat-model table of \(run.name) is under way already (x stops it)"
            ) { try Job.threatComparison(run: run, running: true) }
            return
        }
        workbench.handleJobKey(key)
    }

    func placeholder(workbench: WorkbenchState) -> (title: String, text: String) {
        (
            "Robustness",
            "No evaluation running. Press Enter to sweep eps on the newest classifier run with FGSM, PGD, APGD-CE, "
                + "APGD-T and Square, or press R on a classifier in Runs."
        )
    }

    /// The order and colours of the curves: the attacks as the sweep runs them, then the worst case.
    static let curveOrder = ["fgsm", "pgd", "apgd-ce", "apgd-t", "square", "worst case"]

    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let s = job.runner.snapshot
        if let table = s.tables["threat models"] {
            renderThreats(table, s, in: area, buffer: &buffer, workbench: workbench)
            return
        }
        let sanity = SanityPanel(s.checks, theme: theme)
        let rows = Layout.vertical([.fill(1)] + sanity.rows(maximumLines: 10) + [.length(3)]).split(area)
        let hasHistory = !s.epochSeries.isEmpty
        // Below 80 columns the figures keep two fifths of the row: at 40 they left the curves 10 and 6 columns
        // at 60.
        let figures = Constraint.length(area.width >= 80 ? 40 : area.width * 2 / 5)
        let top = Layout.horizontal(hasHistory ? [.fill(3), .fill(2), figures] : [.fill(1), figures]).split(rows[0])
        let names = Self.curveOrder.filter { s.curves[$0] != nil }
        buffer.render(
            LineChart(
                series: names.enumerated().map { index, name in
                    .init(
                        name: name, values: s.curves[name]!.y, xValues: s.curves[name]!.x,
                        color: name == "worst case" ? theme.accent : theme.seriesColor(index))
                },
                yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle),
            in: workbench.panel("robust accuracy over eps (L-inf)", top[0], &buffer))
        if hasHistory { renderHistory(s, in: top[1], buffer: &buffer, workbench: workbench) }
        workbench.renderFigures(s.figures, title: "evaluation", in: top[top.count - 1], buffer: &buffer)
        if !sanity.lines.isEmpty { sanity.render(in: rows[1], buffer: &buffer, workbench: workbench) }
        workbench.renderProgress(s, in: rows[rows.count - 1], buffer: &buffer)
    }

    /// The run's per-epoch accuracies, with a vertical line at the catastrophic-overfitting epoch.
    private func renderHistory(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let names = [
            ("test_accuracy", "clean (test)"), ("train_fgsm_accuracy", "FGSM (train batch)"),
            ("train_pgd_accuracy", "PGD (train batch)"),
        ]
        var series: [LineChart.Series] = names.enumerated().compactMap { index, entry in
            guard let values = s.epochSeries[entry.0] else { return nil }
            return .init(
                name: entry.1, values: values, xValues: values.indices.map { Double($0 + 1) },
                color: theme.seriesColor(index))
        }
        let collapse = s.figures.first { $0.name == "collapse" }?.value
        if let collapse, collapse.hasPrefix("epoch "), let epoch = Double(collapse.dropFirst(6)) {
            series.append(.init(name: "collapse", values: [0, 1], xValues: [epoch, epoch], color: theme.warning))
        }
        buffer.render(
            LineChart(
                series: series, yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle, wholeX: true),
            in: workbench.panel(
                collapse.map { "accuracy per epoch · catastrophic overfitting: \($0)" } ?? "test accuracy per epoch",
                area, &buffer))
    }

    /// The threat-model table (`Job.threatComparison`): a row per threat with each run's robust accuracy and
    /// the perturbations' perceptual distance, the accuracies as bars, the figures.
    private func renderThreats(
        _ table: [[String]], _ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState
    ) {
        let theme = workbench.theme
        let rows = Layout.vertical([.length(table.count + 3), .fill(1), .length(3)]).split(area)
        // The table needs about 60 columns for its figures; the figures box takes what is left, 40 at most, and
        // gives way below 24 (at 60x18 it kept 40 columns and the table's figures were cut to "0.…").
        let figuresWidth = min(40, area.width - 60) >= 24 ? min(40, area.width - 60) : 0
        let top = Layout.horizontal(figuresWidth > 0 ? [.fill(1), .length(figuresWidth)] : [.fill(1)]).split(rows[0])
        let header = table.first ?? []
        let tableArea = workbench.panel(
            "robust accuracy · perceptual distance by the first run's features (Laidlaw et al. 2021)", top[0], &buffer)
        let widths: [Constraint] = header.indices.map { $0 == 0 ? .length(10) : .fill(1) }
        // The columns as the table splits them (less its scroll indicator's column when rows are hidden), so
        // that a run's name is cut in its middle: cut at the end, two runs whose names differ in their time
        // read alike ("mlp-synthetic-…" twice at 60x18).
        let scrolls = table.count - 1 > tableArea.height - 1 && tableArea.height > 1 && tableArea.width >= 2
        let parts = Layout.horizontal(widths, spacing: 1).split(
            Rect(x: tableArea.x, y: tableArea.y, width: tableArea.width - (scrolls ? 1 : 0), height: tableArea.height))
        let suffix = ": acc · dist"
        let titles = header.indices.map { index in
            guard index >= 2, header[index].hasSuffix(suffix), parts.indices.contains(index) else {
                return header[index]
            }
            return Self.fitted(
                name: String(header[index].dropLast(suffix.count)), suffix: suffix, width: parts[index].width)
        }
        buffer.render(
            Table(
                columns: titles.indices.map { index in
                    .init(titles[index], width: widths[index], alignment: index < 2 ? .left : .right)
                },
                rows: Array(table.dropFirst()), headerStyle: theme.mutedStyle, style: theme.textStyle),
            in: tableArea)
        if figuresWidth > 0 { workbench.renderFigures(s.figures, title: "threat models", in: top[1], buffer: &buffer) }
        var bars = s.bars["threat models"] ?? []
        let inner = workbench.panel("robust accuracy per threat model and run", rows[1], &buffer)
        // More bars than rows: the first, and on the last row how many are left out (the table has them all).
        var barArea = inner
        if bars.count > inner.height, inner.height > 0 {
            let shown = inner.height - 1
            buffer.setString(
                "+\(bars.count - shown) more (the table above has every figure)", x: inner.x, y: inner.bottom - 1,
                style: theme.mutedStyle, maxWidth: inner.width)
            bars = Array(bars.prefix(shown))
            barArea = Rect(x: inner.x, y: inner.y, width: inner.width, height: shown)
        }
        // "THREAT · RUN", the run's name cut in its middle where the label does not fit its third of the row.
        let labelWidth = max(1, barArea.width / 3)
        let labels = bars.map { bar -> String in
            guard let separator = bar.label.range(of: " · ") else {
                return truncatedMiddle(bar.label, toWidth: labelWidth)
            }
            return Self.fitted(
                name: String(bar.label[separator.upperBound...]), prefix: String(bar.label[..<separator.upperBound]),
                width: labelWidth)
        }
        buffer.render(
            BarChart(
                bars: bars.enumerated().map {
                    .init(label: labels[$0], value: $1.value, color: theme.seriesColor($0 % 2))
                },
                // Three decimals, as the table above shows the same accuracies (0.045 was drawn "0.04").
                maximum: 1, labelStyle: theme.textStyle, highlightStyle: theme.accentStyle, decimals: 3,
                maximumLabelWidth: labelWidth),
            in: barArea)
        workbench.renderProgress(s, in: rows[2], buffer: &buffer)
    }

    /// `prefix + name + suffix` in `width` columns: whole where it fits, else with the run's `name` cut in its
    /// middle (names that differ at the end, in their time, stay apart, as in the Runs list) while that leaves
    /// the name 8 columns, else `prefix + name` cut in its middle.
    static func fitted(name: String, prefix: String = "", suffix: String = "", width: Int) -> String {
        let whole = prefix + name + suffix
        guard CharacterWidth.of(whole) > width else { return whole }
        let room = width - CharacterWidth.of(prefix + suffix)
        if room >= min(8, CharacterWidth.of(name)) { return prefix + truncatedMiddle(name, toWidth: room) + suffix }
        return truncatedMiddle(prefix + name, toWidth: width)
    }
}
