import Engine
import Foundation
import TerminalUI

/// The Compare screen: PCA and autoencoder reconstructions of the same test images at the same code
/// size k, both errors per image, and both test errors over k. The k shown is the screen's choice, made
/// on the UI thread from the snapshot's groups of every k, so that `↑` `↓` answer a paused, finished or
/// stopped comparison alike (sent to the runner, they were refused once `x` had stopped it).
final class CompareScreen: JobScreen {
    /// The k shown before a key chooses another (the nearest code size the comparison has).
    static let defaultCodeSize = 30

    let title = "Compare"
    var jobKinds: Set<Job.Kind> { [.comparison] }

    var helpEntries: [HelpOverlay.Entry] {
        [.init("↑ ↓ / + -", "code size k")]
    }

    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {
        let delta: Int
        switch key.key {
        case .up, .character("+"), .character("="): delta = 1
        case .down, .character("-"): delta = -1
        default:
            workbench.handleJobKey(key)
            return
        }
        guard let job = workbench.active, job.kind == .comparison else {
            workbench.handleJobKey(key)
            return
        }
        let sizes = Self.codeSizes(job.runner.snapshot)
        guard !sizes.isEmpty else {
            workbench.message = "\(WorkbenchState.keyName(key)): the code sizes k are known once PCA is fitted"
            return
        }
        let shown = Self.shownCodeSize(job, sizes: sizes)
        let index = sizes.firstIndex(of: shown) ?? 0
        let next = sizes[max(0, min(sizes.count - 1, index + delta))]
        job.shownCodeSize = next
        workbench.message =
            next == shown
            ? "showing k = \(next) already (the \(delta > 0 ? "largest" : "smallest"))" : "showing k = \(next)"
    }

    /// The code sizes of a comparison: those of PCA's test-error curve, all known once PCA is fitted.
    static func codeSizes(_ snapshot: Snapshot) -> [Int] {
        (snapshot.curves["pca"]?.x ?? []).map { Int($0) }
    }

    /// The k shown: the job's choice, else the code size nearest `defaultCodeSize`.
    static func shownCodeSize(_ job: Job, sizes: [Int]) -> Int {
        let wanted = job.shownCodeSize ?? defaultCodeSize
        return sizes.min { abs($0 - wanted) < abs($1 - wanted) } ?? wanted
    }

    /// The figures of the k shown, read from the snapshot's curves, then the comparison's own. An autoencoder
    /// with reconstructions but no test error yet is the one training.
    static func figures(_ snapshot: Snapshot, codeSize k: Int, stopped: Bool) -> [(name: String, value: String)] {
        func value(_ curve: String) -> Double? {
            guard let curve = snapshot.curves[curve], let index = curve.x.firstIndex(of: Double(k)) else { return nil }
            return curve.y[index]
        }
        let training = snapshot.images[CompareExperiment.imageGroup("ae", codeSize: k)] != nil
        let autoencoder =
            value("autoencoder").map { String(format: "%.5f", $0) }
            ?? (training ? (stopped ? "stopped while training" : "training") : "not trained yet")
        return [
            ("k shown", "\(k)"), ("PCA test mse", value("pca").map { String(format: "%.5f", $0) } ?? "-"),
            ("AE test mse", autoencoder),
        ] + snapshot.figures
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
        let sizes = Self.codeSizes(s)
        let k = Self.shownCodeSize(job, sizes: sizes)
        let images = [
            s.images["originals"] ?? [], s.images[CompareExperiment.imageGroup("pca", codeSize: k)] ?? [],
            s.images[CompareExperiment.imageGroup("ae", codeSize: k)] ?? [],
        ]
        let shown = max(1, (columns[0].width - 2) / cellWidth)
        let titles = [
            "test images", "PCA reconstructions · per-image mse", "autoencoder reconstructions · per-image mse",
        ]
        for (index, strip) in strips.prefix(3).enumerated() {
            workbench.renderImageStrip(
                Array(images[index].prefix(shown)), title: titles[index], in: strip, buffer: &buffer,
                cellWidth: cellWidth)
        }
        let stopped = job.stoppedByUser || s.status == .stopped
        workbench.renderFigures(
            Self.figures(s, codeSize: k, stopped: stopped), title: "↑ ↓ choose k", in: side[0], buffer: &buffer)
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
