import Engine
import Foundation
import TerminalUI

/// The Sample screen: x_t and the predicted x_0 while a sampler of a trained run steps, the noise level
/// and score norm over steps, the sampler's figures; or the particles of the 2-D Langevin toy.
final class SampleScreen: JobScreen {
    let title = "Sample"
    var jobKinds: Set<Job.Kind> { [.sampling] }

    var helpEntries: [HelpOverlay.Entry] {
        [.init("+ / -", "(Langevin) step size x1.25 / x0.8")]
    }

    func placeholder(workbench: WorkbenchState) -> (title: String, text: String) {
        (
            "Sample",
            "No sampler running. Train a DAE, DDPM, VAE, AAE or WAE (Home), then start a sampler from the command line with 'manifold sample METHOD --run RUN', or press Enter here for the 2-D Langevin toy."
        )
    }

    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let s = job.runner.snapshot
        let isToy = s.images["x_t"] == nil && !s.points.isEmpty
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
        buffer.render(
            LineChart(
                series: [
                    .init(name: "noise level", values: s.series["noise_level"] ?? [], color: theme.seriesColor(0)),
                    .init(name: "score norm", values: s.series["score_norm"] ?? [], color: theme.seriesColor(1)),
                ],
                logScaleY: true, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle),
            in: workbench.panel("noise level and score norm per step (log)", right[0], &buffer))
        workbench.renderFigures(s.figures, title: "sampler", in: right[1], buffer: &buffer)
        if !isToy {
            workbench.renderImageStrip(
                s.images["samples"] ?? s.images["x_t"] ?? [], title: "samples", in: rows[1], buffer: &buffer)
        }
        workbench.renderProgress(s, in: rows[2], buffer: &buffer)
    }
}
