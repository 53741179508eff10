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
        let rows = Layout.vertical([.fill(1), .fill(1), .fill(1), .length(3)]).split(area)
        let top = Layout.horizontal([.fill(2), .fill(1)]).split(rows[0])
        workbench.renderImageStrip(s.images["originals"] ?? [], title: "test images", in: top[0], buffer: &buffer)
        workbench.renderFigures(s.figures, title: "↑ ↓ choose k", in: top[1], buffer: &buffer)
        workbench.renderImageStrip(
            s.images["pca"] ?? [], title: "PCA reconstructions · per-image mse", in: rows[1], buffer: &buffer)
        let bottom = Layout.horizontal([.fill(2), .fill(1)]).split(rows[2])
        workbench.renderImageStrip(
            s.images["ae"] ?? [], title: "autoencoder reconstructions · per-image mse", in: bottom[0], buffer: &buffer)
        buffer.render(
            LineChart(
                series: ["pca", "autoencoder"].enumerated().map { index, name in
                    .init(
                        name: name, values: s.curves[name]?.y ?? [], xValues: s.curves[name]?.x,
                        color: theme.seriesColor(index))
                },
                logScaleY: true, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                legendStyle: theme.textStyle),
            in: workbench.panel("test mse over k (log)", bottom[1], &buffer))
        workbench.renderProgress(s, in: rows[3], buffer: &buffer)
    }
}
