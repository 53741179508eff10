import Engine
import Foundation
import TerminalUI

/// The Sample screen (x_t and predicted x_0 while stepping a sampler, noise level and score norm over
/// steps, or particles of the 2-D toy), the Attack lab (clean | adversarial | perturbation, class
/// probabilities before and after, norms, robust accuracy over eps) and the Compare screen (AE vs PCA).
extension WorkbenchState {
    func renderSample(in area: Rect, buffer: inout Buffer) {
        guard let job = active else {
            buffer.render(
                Paragraph(
                    "No sampler running. Train a DAE, DDPM, VAE, AAE or WAE (Home), then start a sampler from the command line with 'manifold sample METHOD --run RUN', or press Enter here for the 2-D Langevin toy.",
                    style: theme.mutedStyle),
                in: panel("Sample", area, &buffer))
            return
        }
        let s = job.runner.snapshot
        let isToy = s.images["x_t"] == nil && !s.points.isEmpty
        let rows = Layout.vertical(isToy ? [.fill(1), .length(0), .length(3)] : [.fill(3), .fill(2), .length(3)]).split(area)
        let top = Layout.horizontal([.percentage(50), .fill(1)]).split(rows[0])
        if isToy {
            renderScatter(s, classNames: ["particles"], title: "particles (colour) and data (muted)", in: top[0], buffer: &buffer)
        } else {
            let grids = Layout.vertical([.fill(1), .fill(1)]).split(top[0])
            renderImageStrip(s.images["x_t"] ?? [], title: "x_t", in: grids[0], buffer: &buffer)
            renderImageStrip(s.images["x0"] ?? [], title: "predicted x_0", in: grids[1], buffer: &buffer)
        }
        let right = Layout.vertical([.fill(1), .fill(1)]).split(top[1])
        buffer.render(
            LineChart(
                series: [
                    .init(name: "noise level", values: s.series["noise_level"] ?? [], color: theme.seriesColor(0)),
                    .init(name: "score norm", values: s.series["score_norm"] ?? [], color: theme.seriesColor(1)),
                ],
                logScaleY: true, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: panel("noise level and score norm per step (log)", right[0], &buffer))
        renderFigures(s.figures, title: "sampler", in: right[1], buffer: &buffer)
        if !isToy {
            renderImageStrip(s.images["samples"] ?? s.images["x_t"] ?? [], title: "samples", in: rows[1], buffer: &buffer)
        }
        renderProgress(s, in: rows[2], buffer: &buffer)
    }

    func renderAttack(in area: Rect, buffer: inout Buffer) {
        guard let job = active else {
            buffer.render(
                Paragraph("No attack running. Press Enter to attack a classifier with PGD (it trains a small MLP first if no classifier run exists).", style: theme.mutedStyle),
                in: panel("Attack lab", area, &buffer))
            return
        }
        let s = job.runner.snapshot
        if let trigger = s.images["trigger"] {
            // The backdoor view of a `manifold poison backdoor` run.
            let rows = Layout.vertical([.fill(1), .fill(1)]).split(area)
            let top = Layout.horizontal([.fill(1), .length(44)]).split(rows[0])
            renderImageStrip(trigger, title: "trigger (BadNets, Gu et al. 2017)", in: top[0], buffer: &buffer)
            renderFigures(s.figures, title: "clean vs triggered", in: top[1], buffer: &buffer)
            renderImageStrip(s.images["poisoned examples"] ?? [], title: "poisoned training examples", in: rows[1], buffer: &buffer)
            return
        }
        let rows = Layout.vertical([.fill(3), .fill(2), .length(3)]).split(area)
        let top = Layout.horizontal([.fill(1), .fill(1), .fill(1), .length(44)]).split(rows[0])
        let clean = s.images["clean"] ?? []
        let adversarial = s.images["adversarial"] ?? []
        let perturbation = s.images["perturbation"] ?? []
        renderImageStrip(clean, title: "clean", in: top[0], buffer: &buffer)
        renderImageStrip(adversarial, title: "adversarial", in: top[1], buffer: &buffer)
        renderImageStrip(perturbation, title: "perturbation", in: top[2], buffer: &buffer, signed: true)
        renderFigures(s.figures, title: "attack", in: top[3], buffer: &buffer)
        let bottom = Layout.horizontal([.fill(1), .fill(1), .fill(1)]).split(rows[1])
        for (index, name) in ["clean", "adversarial"].enumerated() {
            let bars = s.bars[name] ?? []
            let best = bars.indices.max { bars[$0].value < bars[$1].value }
            buffer.render(
                BarChart(
                    bars: bars.enumerated().map { .init(label: $1.label, value: $1.value, color: theme.classColor($0)) },
                    maximum: 1, highlighted: best, labelStyle: theme.textStyle, highlightStyle: theme.accentStyle),
                in: panel("probabilities · \(name)", bottom[index], &buffer))
        }
        let curves = s.curves.keys.sorted()
        if curves.isEmpty {
            buffer.render(
                LineChart(
                    series: [.init(name: "success rate", values: s.series["success_rate"] ?? [], color: theme.seriesColor(3))],
                    yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
                in: panel("success rate per iteration (c: accuracy over eps)", bottom[2], &buffer))
        } else {
            buffer.render(
                LineChart(
                    series: curves.enumerated().map { .init(name: $1, values: s.curves[$1]!.y, xValues: s.curves[$1]!.x, color: theme.seriesColor($0)) },
                    yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
                in: panel("robust accuracy over eps", bottom[2], &buffer))
        }
        renderProgress(s, in: rows[2], buffer: &buffer)
    }

    func renderCompare(in area: Rect, buffer: inout Buffer) {
        guard let job = active else {
            buffer.render(
                Paragraph("Press Enter to fit PCA and train autoencoders at k = 2 … 50 on \(dataSpec).", style: theme.mutedStyle),
                in: panel("Compare AE vs PCA", area, &buffer))
            return
        }
        let s = job.runner.snapshot
        let rows = Layout.vertical([.fill(1), .fill(1), .fill(1), .length(3)]).split(area)
        let top = Layout.horizontal([.fill(2), .fill(1)]).split(rows[0])
        renderImageStrip(s.images["originals"] ?? [], title: "test images", in: top[0], buffer: &buffer)
        renderFigures(s.figures, title: "↑ ↓ choose k", in: top[1], buffer: &buffer)
        renderImageStrip(s.images["pca"] ?? [], title: "PCA reconstructions · per-image mse", in: rows[1], buffer: &buffer)
        let bottom = Layout.horizontal([.fill(2), .fill(1)]).split(rows[2])
        renderImageStrip(s.images["ae"] ?? [], title: "autoencoder reconstructions · per-image mse", in: bottom[0], buffer: &buffer)
        buffer.render(
            LineChart(
                series: ["pca", "autoencoder"].enumerated().map { index, name in
                    .init(name: name, values: s.curves[name]?.y ?? [], xValues: s.curves[name]?.x, color: theme.seriesColor(index))
                },
                logScaleY: true, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: panel("test mse over k (log)", bottom[1], &buffer))
        renderProgress(s, in: rows[3], buffer: &buffer)
    }
}
