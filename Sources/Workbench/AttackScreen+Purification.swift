import Engine
import TerminalUI

extension AttackScreen {
    /// The purification view (`Job.purification`): clean, perturbation and attacked image, the chain's `x_t`
    /// and predicted `x_0` across the top; below, the figures and the newest steps' predictions; then, where
    /// there are 34 rows for the view, the classifier's probabilities over the reverse steps across the bottom.
    func renderPurification(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let showsCurves = area.height >= 34
        let rows = Layout.vertical(
            showsCurves ? [.fill(1), .fill(1), .fill(1), .length(3)] : [.fill(1), .fill(1), .length(3)]
        ).split(area)
        let top = Layout.horizontal(Array(repeating: .fill(1), count: 5)).split(rows[0])
        let attacked = s.figures.first { $0.name == "purifying" }?.value ?? "adversarial"
        workbench.renderImageStrip(s.images["clean"] ?? [], title: "clean", in: top[0], buffer: &buffer)
        workbench.renderImageStrip(
            s.images["perturbation"] ?? [], title: "perturbation", in: top[1], buffer: &buffer, signed: true)
        workbench.renderImageStrip(s.images["adversarial"] ?? [], title: attacked, in: top[2], buffer: &buffer)
        workbench.renderImageStrip(s.images["purify x_t"] ?? [], title: "x_t", in: top[3], buffer: &buffer)
        // "predicted x_0" needs 17 columns; five images across 80 get 16.
        workbench.renderImageStrip(
            s.images["purify x_0"] ?? [], title: top[4].width >= 17 ? "predicted x_0" : "x_0 estimate", in: top[4],
            buffer: &buffer)
        // The steps' labels get up to half their panel: 36 columns show 17 characters of them, 48 show 23.
        // Below 80 columns the figures, which hold the verdicts, keep three fifths of the row.
        let stepsWidth = area.width >= 80 ? min(62, max(36, area.width * 2 / 5)) : area.width * 2 / 5
        let middle = Layout.horizontal([.fill(1), .length(stepsWidth)]).split(rows[1])
        // The values (the purifier's summary) are longer than the names: the name column as wide as the
        // longest name, at most 19.
        let nameWidth = min(19, s.figures.map { CharacterWidth.of($0.name) }.max() ?? 0)
        // A panel too short for every figure (two borders and the header row) shows the stage and the
        // verdicts first.
        var figures = s.figures
        if middle[0].height - 3 < figures.count {
            let first = figures.filter { $0.name == "stage" || $0.name.hasSuffix("→ purified") }
            figures = first + figures.filter { $0.name != "stage" && !$0.name.hasSuffix("→ purified") }
        }
        buffer.render(
            Table(
                columns: [.init("", width: .length(nameWidth)), .init("", width: .fill(1), alignment: .right)],
                rows: figures.map { [$0.name, $0.value] }, headerStyle: theme.mutedStyle, style: theme.textStyle),
            in: workbench.panel("purification (a / A: adaptive attack)", middle[0], &buffer))
        if showsCurves {
            let names = ["p(true class)", "p(prediction)"]
            buffer.render(
                LineChart(
                    series: names.enumerated().compactMap { index, name in
                        s.curves[name].map {
                            .init(name: name, values: $0.y, xValues: $0.x, color: theme.seriesColor(index))
                        }
                    },
                    yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                    legendStyle: theme.textStyle),
                in: workbench.panel(
                    "classifier on predicted x_0, per reverse step (+/-: t*, ( ): steps)", rows[2], &buffer))
        }
        let bars = s.bars["purification steps"] ?? []
        // The labels (step, level, prediction) may take half the panel: the bar only repeats the p beside it.
        let stepsInner = workbench.panel("step · level · prediction · p", middle[1], &buffer)
        buffer.render(
            BarChart(
                bars: bars.map { .init(label: $0.label, value: $0.value, color: theme.seriesColor(1)) }, maximum: 1,
                labelStyle: theme.textStyle, highlightStyle: theme.accentStyle,
                maximumLabelWidth: stepsInner.width / 2),
            in: stepsInner)
        workbench.renderProgress(s, in: rows[rows.count - 1], buffer: &buffer)
    }
}
