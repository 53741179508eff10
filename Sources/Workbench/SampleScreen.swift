import Engine
import Foundation
import TerminalUI

/// The Sample screen: x_t and the predicted x_0 while a sampler of a trained run steps, the noise level
/// and score norm over steps, the sampler's figures; or the particles of the 2-D Langevin toy. A run that
/// can be steered to a class (class-conditional DDPM or VAE, a DDPM with a guiding classifier) picks the
/// class and the guidance live; with a row per class, `x_t` and the predicted `x_0` are grids.
final class SampleScreen: JobScreen {
    let title = "Sample"
    var jobKinds: Set<Job.Kind> { [.sampling] }

    var helpEntries: [HelpOverlay.Entry] {
        [
            .init("+ / -", "(Langevin) step size x1.25 / x0.8"),
            .init("c / C", "(conditional or guided runs) next / previous class: none, each, a row per class"),
            .init("w / W", "less / more guidance: weight w (classifier-free) or scale (classifier guidance)"),
            .init("k", "(unconditional DDPM) the next classifier run to guide with"),
        ]
    }

    func placeholder(workbench: WorkbenchState) -> (title: String, text: String) {
        (
            "Sample",
            "No sampler running. Train a DAE, DDPM, VAE, AAE or WAE (Home), then sample it with Enter on its run in Runs (or 'Sample from the newest run' on Home), or press Enter here to sample the newest such run (with none, the 2-D Langevin toy, which Home also lists on its own)."
        )
    }

    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let s = job.runner.snapshot
        let isToy = s.images["x_t"] == nil && !s.points.isEmpty
        if s.figures.contains(where: { $0.name == "per class" }) {
            renderClassGrids(s, in: area, buffer: &buffer, workbench: workbench)
            return
        }
        let rows = Layout.vertical(isToy ? [.fill(1), .length(0), .length(3)] : [.fill(3), .fill(2), .length(3)])
            .split(area)
        let top = Layout.horizontal([.percentage(50), .fill(1)]).split(rows[0])
        if isToy {
            workbench.renderScatter(
                s, classNames: ["particles"], title: "particles (colour) and data (muted)", in: top[0], buffer: &buffer)
        } else {
            let grids = Layout.vertical([.fill(1), .fill(1)]).split(top[0])
            workbench.renderImageStrip(s.images["x_t"] ?? [], title: "x_t", in: grids[0], buffer: &buffer)
            workbench.renderImageStrip(s.images["x0"] ?? [], title: "predicted x_0", in: grids[1], buffer: &buffer)
        }
        let right = Layout.vertical([.fill(1), .fill(1)]).split(top[1])
        if s.figures.contains(where: { $0 == ("method", "prior") }) {
            // Its noise chart stayed empty: a prior sampler has one step and no noise schedule.
            let inner = workbench.panel("prior sampler", right[0], &buffer)
            buffer.render(
                Paragraph(
                    "One step: z drawn from the prior, x = decoder(z); no noise level or score to chart.",
                    style: workbench.theme.mutedStyle),
                in: inner)
        } else {
            renderNoiseChart(s, title: "noise level and score norm per step (log)", in: right[0], &buffer, workbench)
        }
        // A steered run's class and guidance come first, so a short panel still shows what the keys set.
        let steering = s.figures.filter { Self.steeringFigures.contains($0.name) }
        if steering.isEmpty {
            workbench.renderFigures(s.figures, title: "sampler", in: right[1], buffer: &buffer)
        } else {
            renderSteeredFigures(
                steering + s.figures.filter { !Self.steeringFigures.contains($0.name) }, in: right[1], &buffer,
                workbench)
        }
        if !isToy {
            workbench.renderImageStrip(
                s.images["samples"] ?? s.images["x_t"] ?? [], title: "samples", in: rows[1], buffer: &buffer)
        }
        workbench.renderProgress(s, in: rows[2], buffer: &buffer)
    }

    /// The figures of a steered sampler that the class and guidance keys change.
    static let steeringFigures: Set<String> = ["class", "guidance"]

    /// A row per class: the current `x_t` and the predicted `x_0` as grids, the chart and the figures
    /// beside them.
    private func renderClassGrids(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let rows = Layout.vertical([.fill(1), .length(3)]).split(area)
        let columns = Layout.horizontal([.fill(1), .fill(1), .length(44)]).split(rows[0])
        workbench.renderImageGrid(s.images["x_t"] ?? [], title: "x_t", in: columns[0], buffer: &buffer, idBase: 0)
        workbench.renderImageGrid(
            s.images["x0"] ?? [], title: "predicted x_0", in: columns[1], buffer: &buffer, idBase: 1000)
        // The figures need 12 rows; the chart is drawn only when it gets at least 4 more.
        let figuresHeight = columns[2].height >= 16 ? 12 : columns[2].height
        let right = Layout.vertical([.fill(1), .length(figuresHeight)]).split(columns[2])
        if right[0].height > 0 {
            renderNoiseChart(s, title: "noise level, score norm (log)", in: right[0], &buffer, workbench)
        }
        renderSteeredFigures(s.figures, in: right[1], &buffer, workbench)
        workbench.renderProgress(s, in: rows[1], buffer: &buffer)
    }

    /// A steered sampler's figures under the keys that steer it, the names in a narrow column so that the
    /// class and guidance labels keep their width.
    private func renderSteeredFigures(
        _ figures: [(name: String, value: String)], in area: Rect, _ buffer: inout Buffer, _ workbench: WorkbenchState
    ) {
        let theme = workbench.theme
        // The blank header row gives way to one more figure where not all fit, as in `renderFigures`.
        let inner = workbench.panel("sampler (c C: class, w W: guidance)", area, &buffer)
        buffer.render(
            Table(
                columns: [.init("", width: .length(11)), .init("", width: .fill(1), alignment: .right)],
                rows: figures.map { [$0.name, $0.value] }, headerStyle: theme.mutedStyle, style: theme.textStyle,
                showsHeader: inner.height > figures.count),
            in: inner)
    }

    /// The sampler's noise level and score norm per step, on a log scale.
    private func renderNoiseChart(
        _ s: Snapshot, title: String, in area: Rect, _ buffer: inout Buffer, _ workbench: WorkbenchState
    ) {
        let theme = workbench.theme
        buffer.render(
            LineChart(
                series: [
                    .init(name: "noise level", values: s.series["noise_level"] ?? [], color: theme.seriesColor(0)),
                    .init(name: "score norm", values: s.series["score_norm"] ?? [], color: theme.seriesColor(1)),
                ],
                logScaleY: true, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle),
            in: workbench.panel(title, area, &buffer))
    }
}
