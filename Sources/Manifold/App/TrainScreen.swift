import Engine
import Foundation
import TerminalUI

/// The Train screen: loss curves, test accuracy per epoch, test images with predictions, the hidden
/// features of test images projected on their principal plane, progress, throughput and ETA.
extension WorkbenchState {
    func renderTrain(in area: Rect, buffer: inout Buffer) {
        guard let job = active else {
            buffer.render(
                Paragraph("No job yet. Press Enter to train the MLP on \(dataSpec), or pick one on Home (1).", style: theme.mutedStyle),
                in: panel("Train", area, &buffer))
            return
        }
        let s = job.runner.snapshot
        let rows = Layout.vertical([.fill(3), .fill(2), .length(3)]).split(area)
        let top = Layout.horizontal([.percentage(58), .fill(1)]).split(rows[0])

        let loss = s.series["loss"] ?? []
        let title = "loss" + (logScale ? " (log)" : "") + (smoothing ? " · smoothed" : "")
        buffer.render(
            LineChart(
                series: [.init(name: "train loss (per step)", values: loss, color: theme.seriesColor(0))],
                logScaleY: logScale, smoothing: smoothing ? 0.9 : 0, axisStyle: theme.borderStyle,
                labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
            in: panel(title, top[0], &buffer, focused: true))

        let right = Layout.vertical([.fill(1), .fill(1)]).split(top[1])
        let accuracy = s.epochSeries["test_accuracy"] ?? []
        let testLoss = s.epochSeries["test_loss"] ?? []
        let trainLoss = s.epochSeries["train_loss"] ?? []
        if accuracy.isEmpty {
            buffer.render(
                Table(
                    columns: [.init("figure", width: .fill(1)), .init("value", width: .fill(1), alignment: .right)],
                    rows: s.figures.map { [$0.name, $0.value] }, headerStyle: theme.accentStyle, style: theme.textStyle),
                in: panel("figures", right[0], &buffer))
        } else {
            buffer.render(
                LineChart(
                    series: [
                        .init(name: "test acc", values: accuracy, color: theme.seriesColor(2)),
                        .init(name: "train loss", values: trainLoss, color: theme.seriesColor(0)),
                        .init(name: "test loss", values: testLoss, color: theme.seriesColor(1)),
                    ], axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
                in: panel("per epoch · acc \(String(format: "%.4f", accuracy.last!))", right[0], &buffer))
        }
        buffer.render(
            ScatterPlot(
                points: s.points.map { .init(x: $0.x, y: $0.y, classIndex: $0.label) }, classColors: theme.classes,
                classNames: job.classNames, legendStyle: theme.textStyle),
            in: panel("hidden features of test images (PCA)", right[1], &buffer))

        renderImageStrip(s.images["test"] ?? [], title: "test images · predictions", in: rows[1], buffer: &buffer)

        let bottom = Layout.horizontal([.fill(1), .length(44)]).split(rows[2])
        let eta = s.stepsPerSecond > 0 ? Double(s.totalSteps - s.step) / s.stepsPerSecond : 0
        buffer.render(
            Gauge(
                ratio: s.fraction, label: "epoch \(s.epoch) · \(Int(s.fraction * 100))% · ETA \(ProgressReporter.clock(eta))",
                filledColor: theme.accent, trackColor: theme.border, labelStyle: theme.textStyle),
            in: panel("progress", bottom[0], &buffer))
        let lr = s.figures.first { $0.name == "learning rate" }?.value ?? "-"
        buffer.render(
            Paragraph(String(format: "%.0f steps/s · lr %@ · job %d/%d", s.stepsPerSecond, lr, (activeJob ?? 0) + 1, jobs.count), style: theme.textStyle),
            in: panel("throughput", bottom[1], &buffer))
    }

    /// A row of images, each in a small box titled with its caption.
    func renderImageStrip(_ images: [Snapshot.Image], title: String, in area: Rect, buffer: inout Buffer) {
        let inner = panel(title, area, &buffer)
        guard !images.isEmpty, inner.width > 0, inner.height > 0 else {
            buffer.render(Paragraph("waiting for the first step…", style: theme.mutedStyle), in: inner)
            return
        }
        // Each image wants about 2 columns per row of cells (half blocks: 1 column x 2 pixels).
        let cellWidth = max(8, min(30, inner.height * 2 + 2))
        let count = min(images.count, max(1, inner.width / cellWidth))
        let cells = Layout.horizontal(Array(repeating: Constraint.length(cellWidth), count: count)).split(inner)
        for (index, cell) in cells.enumerated() {
            let image = images[index]
            let parts = Layout.vertical([.fill(1), .length(1)]).split(cell)
            buffer.render(
                ImageView(pixels: image.values, width: image.width, height: image.height, mode: imageMode(UInt32(index + 1))),
                in: parts[0])
            let wrong = image.caption.contains("≠")
            buffer.render(
                Line(sanitized(image.caption), style: wrong ? theme.warningStyle : theme.mutedStyle, alignment: .center),
                in: parts[1])
        }
    }
}
