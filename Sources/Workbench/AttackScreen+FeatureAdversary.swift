import Engine
import TerminalUI

extension AttackScreen {
    /// The feature-adversary view (`Job.featureAdversary`): source, guide, adversarial image and perturbation
    /// with the figures on top; below, every hidden layer's distance to the guide relative to the source's
    /// (the attacked layer marked), the probability of the guide's class and the relative distance over
    /// the steps, and the newest steps' predictions.
    func renderFeatureAdversary(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let rows = Layout.vertical([.fill(3), .fill(2), .length(3)]).split(area)
        // Below 100 columns the figures keep a third of the row: at 44 they left the four images 4 columns each
        // at 60 (no title, captions cut to "0…").
        let figuresWidth = area.width >= 100 ? 44 : area.width / 3
        let top = Layout.horizontal([.fill(1), .fill(1), .fill(1), .fill(1), .length(figuresWidth)]).split(rows[0])
        workbench.renderImageStrip(s.images["source"] ?? [], title: "source", in: top[0], buffer: &buffer)
        workbench.renderImageStrip(s.images["guide"] ?? [], title: "guide (c / C)", in: top[1], buffer: &buffer)
        workbench.renderImageStrip(s.images["adversarial"] ?? [], title: "adversarial", in: top[2], buffer: &buffer)
        workbench.renderImageStrip(
            s.images["perturbation"] ?? [], title: "perturbation (+ / -)", in: top[3], buffer: &buffer, signed: true)
        workbench.renderFigures(s.figures, title: "feature adversary (Sabour et al.)", in: top[4], buffer: &buffer)
        let bottom = Layout.horizontal([.fill(1), .fill(1), .length(36)]).split(rows[1])
        let layers = s.bars["feature distance per layer"] ?? []
        buffer.render(
            BarChart(
                bars: layers.map {
                    .init(
                        label: $0.label, value: min($0.value, 1),
                        color: theme.seriesColor($0.label.hasSuffix("◀") ? 1 : 0))
                },
                maximum: 1, highlighted: layers.firstIndex { $0.label.hasSuffix("◀") }, labelStyle: theme.textStyle,
                highlightStyle: theme.accentStyle),
            in: workbench.panel("distance to the guide / source's, per layer ( ): layer)", bottom[0], &buffer))
        let names = ["p(guide class)", "relative feature distance"]
        buffer.render(
            LineChart(
                series: names.enumerated().compactMap { index, name in
                    s.curves[name].map {
                        .init(name: name, values: $0.y, xValues: $0.x, color: theme.seriesColor(index + 2))
                    }
                },
                yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: workbench.panel("per step", bottom[1], &buffer))
        let steps = s.bars["feature steps"] ?? []
        buffer.render(
            BarChart(
                bars: steps.map { .init(label: $0.label, value: $0.value, color: theme.seriesColor(3)) }, maximum: 1,
                labelStyle: theme.textStyle, highlightStyle: theme.accentStyle),
            in: workbench.panel("step · prediction · p(guide)", bottom[2], &buffer))
        workbench.renderProgress(s, in: rows[2], buffer: &buffer)
    }
}
