import Engine
import Foundation
import TerminalUI

/// The Compare screen: PCA and autoencoder reconstructions of the same test images at the same code
/// size k, both errors per image, and both test errors over k.
final class CompareScreen: JobScreen {
    let title = "Compare"
    var jobKinds: Set<Job.Kind> { [.comparison] }

    var helpEntries: [HelpOverlay.Entry] {
        [.init("↑ ↓ / + -", "code size k")]
    }

    func placeholder(workbench: WorkbenchState) -> (title: String, text: String) {
        ("Compare AE vs PCA", "Press Enter to fit PCA and train autoencoders at k = 2 … 50 on \(workbench.dataSpec).")
    }

    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        let s = job.runner.snapshot
        // The test images and both reconstructions stack in one column with one cell width, so that each
        // reconstruction sits under its test image (strips of their own widths and heights showed 5, 8
        // and 4 images at 100x30, out of line); the figures and the error curves stand beside them.
        let rows = Layout.vertical([.fill(1), .length(3)]).split(area)
        let columns = Layout.horizontal([.fill(2), .fill(1)]).split(rows[0])
        // Equal heights (a row left over stays under them), so that the images are one size.
        let height = columns[0].height / 3
        let strips = Layout.vertical([.length(height), .length(height), .length(height), .fill(1)]).split(columns[0])
        let side = Layout.vertical([.fill(1), .fill(2)]).split(columns[1])
        let cellWidth = max(6, min(30, (height - 3) * 2 + 2))
        let images = [s.images["originals"] ?? [], s.images["pca"] ?? [], s.images["ae"] ?? []]
        let shown = max(1, (columns[0].width - 2) / cellWidth)
        let titles = [
            "test images", "PCA reconstructions · per-image mse", "autoencoder reconstructions · per-image mse",
        ]
        for (index, strip) in strips.prefix(3).enumerated() {
            workbench.renderImageStrip(
                Array(images[index].prefix(shown)), title: titles[index], in: strip, buffer: &buffer,
                cellWidth: cellWidth)
        }
        workbench.renderFigures(s.figures, title: "↑ ↓ choose k", in: side[0], buffer: &buffer)
        buffer.render(
            LineChart(
                series: ["pca", "autoencoder"].enumerated().map { index, name in
                    .init(
                        name: name, values: s.curves[name]?.y ?? [], xValues: s.curves[name]?.x,
                        color: theme.seriesColor(index))
                },
                logScaleY: true, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle),
            in: workbench.panel("test mse over k (log)", side[1], &buffer))
        workbench.renderProgress(s, in: rows[1], buffer: &buffer)
    }
}
