import Engine
import Foundation
import TerminalUI

/// The Train screen: the curve of every loss term, per-epoch test metrics, images (test predictions,
/// or originals, reconstructions and samples), the latent or hidden-feature scatter coloured by class,
/// progress, throughput and ETA.
extension WorkbenchState {
    func renderTrain(in area: Rect, buffer: inout Buffer) {
        guard let job = active else {
            buffer.render(
                Paragraph("No training job. Press Enter to train the MLP on \(dataSpec), or pick a model on Home (1).", style: theme.mutedStyle),
                in: panel("Train", area, &buffer))
            return
        }
        let s = job.runner.snapshot
        let rows = Layout.vertical([.fill(3), .fill(2), .length(3)]).split(area)
        let top = Layout.horizontal([.percentage(58), .fill(1)]).split(rows[0])

        let names = s.series.keys.sorted().prefix(6)
        let title = "loss terms per step" + (logScale ? " (log)" : "") + (smoothing ? " · smoothed" : "")
        buffer.render(
            LineChart(
                series: names.enumerated().map { .init(name: $1, values: s.series[$1] ?? [], color: theme.seriesColor($0)) },
                logScaleY: logScale, smoothing: smoothing ? 0.9 : 0, axisStyle: theme.borderStyle,
                labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: panel(title, top[0], &buffer, focused: true))

        let right = Layout.vertical([.fill(1), .fill(1)]).split(top[1])
        renderEpochPanel(s, in: right[0], buffer: &buffer)
        renderScatter(s, classNames: job.classNames, title: job.kind == .classifierTraining ? "hidden features of test images (PCA)" : "codes of test images", in: right[1], buffer: &buffer)

        if let test = s.images["test"] {
            renderImageStrip(test, title: "test images · predictions", in: rows[1], buffer: &buffer)
        } else {
            let groups = ["noisy", "originals", "reconstructions", "samples"].filter { s.images[$0]?.isEmpty == false }
            if groups.isEmpty {
                renderImageStrip([], title: "images", in: rows[1], buffer: &buffer)
            } else {
                let strips = Layout.vertical(Array(repeating: Constraint.fill(1), count: groups.count)).split(rows[1])
                for (group, strip) in zip(groups, strips) {
                    renderImageStrip(s.images[group] ?? [], title: group, in: strip, buffer: &buffer)
                }
            }
        }
        renderProgress(s, in: rows[2], buffer: &buffer)
    }

    /// Per-epoch metrics as curves, or the key figures before the first epoch ends.
    func renderEpochPanel(_ s: Snapshot, in area: Rect, buffer: inout Buffer) {
        let names = s.epochSeries.keys.sorted().filter { !(s.epochSeries[$0]?.isEmpty ?? true) }.prefix(5)
        if names.isEmpty || area.height < 8 {
            renderFigures(s.figures, title: "figures", in: area, buffer: &buffer)
            return
        }
        let accuracy = s.epochSeries["test_accuracy"]?.last.map { String(format: " · acc %.4f", $0) } ?? ""
        buffer.render(
            LineChart(
                series: names.enumerated().map { .init(name: $1, values: s.epochSeries[$1] ?? [], color: theme.seriesColor($0 + 2)) },
                logScaleY: logScale, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: panel("per epoch\(accuracy)", area, &buffer))
    }

    func renderFigures(_ figures: [(name: String, value: String)], title: String, in area: Rect, buffer: inout Buffer) {
        buffer.render(
            Table(
                columns: [.init("", width: .fill(1)), .init("", width: .fill(1), alignment: .right)],
                rows: figures.map { [$0.name, $0.value] }, headerStyle: theme.mutedStyle, style: theme.textStyle),
            in: panel(title, area, &buffer))
    }

    /// Points coloured by class; label -1 (prior samples, data) is drawn in the muted colour.
    func renderScatter(_ s: Snapshot, classNames: [String], title: String, in area: Rect, buffer: inout Buffer) {
        let extra = classNames.count
        let points = s.points.map { ScatterPlot.Point(x: $0.x, y: $0.y, classIndex: $0.label < 0 ? extra : $0.label) }
        let hasExtra = s.points.contains { $0.label < 0 }
        buffer.render(
            ScatterPlot(
                points: points, classColors: Array(theme.classes.prefix(extra)) + [theme.muted],
                classNames: classNames + (hasExtra ? ["prior"] : []), legendStyle: theme.textStyle),
            in: panel(title, area, &buffer))
    }

    func renderProgress(_ s: Snapshot, in area: Rect, buffer: inout Buffer) {
        let bottom = Layout.horizontal([.fill(1), .length(40)]).split(area)
        let eta = s.stepsPerSecond > 0 ? Double(s.totalSteps - s.step) / s.stepsPerSecond : 0
        let epoch = s.epoch > 0 ? "epoch \(s.epoch) · " : ""
        buffer.render(
            Gauge(
                ratio: s.fraction, label: "\(epoch)\(Int(s.fraction * 100))% · ETA \(ProgressReporter.clock(eta))",
                filledColor: theme.accent, trackColor: theme.border, labelStyle: theme.textStyle),
            in: panel("progress", bottom[0], &buffer))
        let lr = s.figures.first { $0.name == "learning rate" }.map { " · lr \($0.value)" } ?? ""
        buffer.render(
            Paragraph(String(format: "%.0f steps/s%@", s.stepsPerSecond, lr), style: theme.textStyle),
            in: panel("throughput", bottom[1], &buffer))
    }

    /// A row of images, each above its caption.
    func renderImageStrip(_ images: [Snapshot.Image], title: String, in area: Rect, buffer: inout Buffer, colormap: Colormap? = nil, signed: Bool = false) {
        let inner = panel(title, area, &buffer)
        guard !images.isEmpty, inner.width > 0, inner.height > 0 else {
            buffer.render(Paragraph("waiting for the first step…", style: theme.mutedStyle), in: inner)
            return
        }
        let imageRows = max(1, inner.height - 1)
        let cellWidth = max(6, min(30, imageRows * 2 + 2))
        let count = min(images.count, max(1, inner.width / cellWidth))
        let cells = Layout.horizontal(Array(repeating: Constraint.length(cellWidth), count: count)).split(inner)
        for (index, cell) in cells.enumerated() {
            let image = images[index]
            let parts = Layout.vertical([.fill(1), .length(1)]).split(cell)
            if signed {
                let limit = Double(image.values.map(abs).max() ?? 0)
                buffer.render(
                    Heatmap(values: image.values, width: image.width, height: image.height, colormap: theme.diverging, limit: max(limit, 1e-6), showLegend: false, monochrome: colorDepth == .none),
                    in: parts[0])
            } else {
                buffer.render(
                    ImageView(pixels: image.values, width: image.width, height: image.height, mode: imageMode(UInt32(index + 1)), colormap: colormap),
                    in: parts[0])
            }
            let wrong = image.caption.contains("≠")
            buffer.render(
                Line(sanitized(image.caption), style: wrong ? theme.warningStyle : theme.mutedStyle, alignment: .center),
                in: parts[1])
        }
    }
}
