import Engine
import TerminalUI

extension AttackScreen {
    /// The purification view (`Job.purification`): clean, perturbation and attacked image, the chain's `x_t`
    /// and predicted `x_0`, and the figures on top; the classifier's probabilities over the reverse steps
    /// and the newest steps' predictions below.
    func renderPurification(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let rows = Layout.vertical([.fill(3), .fill(2), .length(3)]).split(area)
        let top = Layout.horizontal([.fill(1), .fill(1), .fill(1), .fill(1), .fill(1), .length(60)]).split(rows[0])
        let attacked = s.figures.first { $0.name == "purifying" }?.value ?? "adversarial"
        workbench.renderImageStrip(s.images["clean"] ?? [], title: "clean", in: top[0], buffer: &buffer)
        workbench.renderImageStrip(
            s.images["perturbation"] ?? [], title: "perturbation", in: top[1], buffer: &buffer, signed: true)
        workbench.renderImageStrip(s.images["adversarial"] ?? [], title: attacked, in: top[2], buffer: &buffer)
        workbench.renderImageStrip(s.images["purify x_t"] ?? [], title: "x_t", in: top[3], buffer: &buffer)
        workbench.renderImageStrip(s.images["purify x_0"] ?? [], title: "predicted x_0", in: top[4], buffer: &buffer)
        // The values (the purifier's summary) are longer than the names: a narrow name column.
        buffer.render(
            Table(
                columns: [.init("", width: .length(19)), .init("", width: .fill(1), alignment: .right)],
                rows: s.figures.map { [$0.name, $0.value] }, headerStyle: theme.mutedStyle, style: theme.textStyle),
            in: workbench.panel("purification (a / A: adaptive attack)", top[5], &buffer))
        let bottom = Layout.horizontal([.fill(1), .length(62)]).split(rows[1])
        let names = ["p(true class)", "p(prediction)"]
        buffer.render(
            LineChart(
                series: names.enumerated().compactMap { index, name in
                    s.curves[name].map {
                        .init(name: name, values: $0.y, xValues: $0.x, color: theme.seriesColor(index))
                    }
                },
                yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: workbench.panel(
                "classifier on predicted x_0, per reverse step (+/-: t*, ( ): steps)", bottom[0], &buffer))
        let bars = s.bars["purification steps"] ?? []
        buffer.render(
            BarChart(
                bars: bars.map { .init(label: $0.label, value: $0.value, color: theme.seriesColor(1)) }, maximum: 1,
                labelStyle: theme.textStyle, highlightStyle: theme.accentStyle),
            in: workbench.panel("step · level · prediction · p", bottom[1], &buffer))
        workbench.renderProgress(s, in: rows[2], buffer: &buffer)
    }
}
