import Engine
import Foundation
import TerminalUI

/// The Train screen: the curve of every loss term, per-epoch test metrics, images (test predictions,
/// or originals, reconstructions and samples), the latent or hidden-feature scatter coloured by class,
/// progress, throughput and ETA. It also shows a run followed with `manifold watch`.
final class TrainScreen: JobScreen {
    let title = "Train"
    var jobKinds: Set<Job.Kind> { [.classifierTraining, .generativeTraining, .watching] }

    var helpEntries: [HelpOverlay.Entry] {
        [
            .init("+ / -", "learning rate x2 / ÷2"),
            .init("a / d / b", "(AAE, WAE) update both / only the adversary / only the autoencoder"),
        ]
    }

    func placeholder(workbench: WorkbenchState) -> (title: String, text: String) {
        (
            "Train",
            "No training job. Press Enter to train the MLP on \(workbench.dataSpec), or pick a model on Home (1)."
        )
    }

    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let s = job.runner.snapshot
        let rows = Layout.vertical([.fill(3), .fill(2), .length(3)]).split(area)
        let top = Layout.horizontal([.percentage(58), .fill(1)]).split(rows[0])

        // A watched run (`manifold watch`) has metrics.csv's rows, one an epoch, and no loss per step: its epoch
        // curves take the large panel, and its figures their place beside it.
        let watched = job.kind == .watching
        if watched {
            renderEpochChart(s, in: top[0], buffer: &buffer, workbench: workbench, focused: true)
        } else {
            let names = s.series.keys.sorted().prefix(6)
            let title =
                "loss terms per step" + (workbench.logScale ? " (log)" : "")
                + (workbench.smoothing ? " · smoothed" : "")
            buffer.render(
                LineChart(
                    series: names.enumerated().map {
                        .init(name: $1, values: s.series[$1] ?? [], color: theme.seriesColor($0))
                    },
                    logScaleY: workbench.logScale, smoothing: workbench.smoothing ? 0.9 : 0,
                    axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
                in: workbench.panel(title, top[0], &buffer, focused: true))
        }
        func renderBeside(in area: Rect, _ buffer: inout Buffer) {
            if watched {
                workbench.renderFigures(s.figures, title: "figures", in: area, buffer: &buffer)
            } else {
                renderEpochPanel(s, in: area, buffer: &buffer, workbench: workbench)
            }
        }

        // A generative model without codes (DAE, DDPM) draws its images but no scatter: the figures take its
        // place, as they do for a watched generative run (the watcher draws no codes). A classifier's visuals
        // (its own training, or a watched run) have the test predictions.
        let classifier = job.kind == .classifierTraining || s.images["test"] != nil
        if !classifier && s.points.isEmpty && (!s.images.isEmpty || watched) {
            renderBeside(in: top[1], &buffer)
        } else {
            let right = Layout.vertical([.fill(1), .fill(1)]).split(top[1])
            renderBeside(in: right[0], &buffer)
            renderScatter(job: job, s, in: right[1], buffer: &buffer, workbench: workbench)
        }
        if watched && s.images.isEmpty {
            buffer.render(
                Paragraph(
                    "A watched generative run shows its metrics only: Enter on it in 6 Runs samples it.",
                    style: theme.mutedStyle, overflow: .wrap),
                in: workbench.panel("images", rows[1], &buffer))
        } else {
            renderImages(s, in: rows[1], buffer: &buffer, workbench: workbench)
        }
        workbench.renderProgress(s, in: rows[2], buffer: &buffer)
    }

    /// The test images' hidden features (a classifier) or codes (an autoencoder), coloured by class.
    private func renderScatter(
        job: Job, _ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState
    ) {
        let classifier = job.kind == .classifierTraining || s.images["test"] != nil
        let scatterTitle = classifier ? "hidden features of test images (PCA)" : "codes of test images"
        workbench.renderScatter(
            s, classNames: job.classNames,
            title: scatterTitle.count + 4 <= area.width || !classifier ? scatterTitle : "hidden features (PCA)",
            in: area, buffer: &buffer)
    }

    /// The fewest rows of image a strip of a generative model's images gets when the strips stand one above the
    /// other (12 pixels high in half blocks: a digit still reads); with fewer they stand side by side.
    static let readableImageRows = 6

    /// The test images with predictions, or a strip per group of a generative model's images.
    private func renderImages(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        if let test = s.images["test"] {
            workbench.renderImageStrip(test, title: "test images · predictions", in: area, buffer: &buffer)
        } else {
            let groups = ["noisy", "originals", "reconstructions", "samples"].filter { s.images[$0]?.isEmpty == false }
            if groups.isEmpty {
                workbench.renderImageStrip([], title: "images", in: area, buffer: &buffer)
            } else {
                // One above the other, each strip needs its borders, a caption and `readableImageRows` of image:
                // where they would get fewer they stand side by side, as a DAE's four do. (At 120x40 a VAE's three
                // strips were stacked with one row of image each, 2x2 pixels, since each fit borders and a row.)
                let parts = Array(repeating: Constraint.fill(1), count: groups.count)
                let strips =
                    area.height >= (3 + Self.readableImageRows) * groups.count
                    ? Layout.vertical(parts).split(area) : Layout.horizontal(parts).split(area)
                for (group, strip) in zip(groups, strips) {
                    workbench.renderImageStrip(s.images[group] ?? [], title: group, in: strip, buffer: &buffer)
                }
            }
        }
    }

    /// Per-epoch metrics as curves, or the key figures before the first epoch ends.
    private func renderEpochPanel(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let names = s.epochSeries.keys.sorted().filter { !(s.epochSeries[$0]?.isEmpty ?? true) }
        if names.isEmpty || area.height < 8 {
            workbench.renderFigures(s.figures, title: "figures", in: area, buffer: &buffer)
            return
        }
        renderEpochChart(s, in: area, buffer: &buffer, workbench: workbench)
    }

    /// Per-epoch metrics as curves (at most five), titled with the newest test accuracy.
    private func renderEpochChart(
        _ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState, focused: Bool = false
    ) {
        let theme = workbench.theme
        let names = s.epochSeries.keys.sorted().filter { !(s.epochSeries[$0]?.isEmpty ?? true) }.prefix(5)
        let accuracy = s.epochSeries["test_accuracy"]?.last.map { String(format: " · acc %.4f", $0) } ?? ""
        // Drawn at their epochs, the last at the snapshot's epoch: from 1, or for a resumed run from the first
        // epoch this job trained.
        func epochs(_ values: [Double]) -> [Double] {
            let first = max(s.epoch, values.count) - values.count + 1
            return values.indices.map { Double(first + $0) }
        }
        buffer.render(
            LineChart(
                series: names.enumerated().map {
                    let values = s.epochSeries[$1] ?? []
                    return .init(name: $1, values: values, xValues: epochs(values), color: theme.seriesColor($0 + 2))
                },
                logScaleY: workbench.logScale, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle, wholeX: true),
            in: workbench.panel("per epoch\(accuracy)", area, &buffer, focused: focused))
    }
}
