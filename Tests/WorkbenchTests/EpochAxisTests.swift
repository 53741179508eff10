import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The per-epoch chart's x axis counts epochs as the figures ("epochs 5/5"), the status line and
/// metrics.csv do: from 1, and for a run resumed here (Runs, `t`) from the first epoch this job trained.
/// Before, five epochs were drawn at 0 to 4, and epochs 4 to 8 of a resumed run at 0 to 4 too.
@Suite struct EpochAxisTests {
    @Test func theEpochAxisCountsTheEpochs() {
        for (kind, epoch, first) in [
            (Job.Kind.watching, 5, 1), (.classifierTraining, 5, 1), (.classifierTraining, 8, 4),
        ] {
            let frame = WorkbenchFixture.jobFrame(kind: kind, title: "mlp", width: 120, height: 40) { snapshot in
                snapshot.epochSeries = ["test_accuracy": [0.80, 0.84, 0.86, 0.87, 0.876]]
                snapshot.epoch = epoch
                snapshot.series = kind == .watching ? [:] : ["loss": [1, 0.8, 0.5]]
            }
            // The label row under the per-epoch chart's axis (the row after the first └ in the panel's columns).
            let rows = frame.map(Array.init)
            guard let title = frame.firstIndex(where: { $0.contains("per epoch · acc 0.8760") }),
                let column = rows[title].indices.first(where: { rows[title][$0...].starts(with: Array("╭ per epoch")) }
                ),
                let axis = rows[title...].firstIndex(where: {
                    $0.count > column && $0[column...].prefix(8).contains("└")
                }),
                let corner = rows[axis][column...].firstIndex(of: "└")
            else {
                Issue.record("\(kind): no per-epoch chart\n\(frame.joined(separator: "\n"))")
                continue
            }
            let row = rows[axis + 1][corner...].prefix { $0 != "│" }
            let labels = String(row).split(separator: " ").map(String.init)
            // Every tick an epoch this job has, the ticks where the axis puts them (1 ... 5 in the wide panel,
            // 2 and 4 in the narrow one).
            let epochs = first...epoch
            #expect(
                labels.count >= 2 && labels.allSatisfy { Int($0).map(epochs.contains) ?? false },
                "\(kind) at epoch \(epoch): \(labels)\n\(frame.joined(separator: "\n"))")
        }
    }

    /// The labels under the x axis of the chart in the panel whose title starts with `title`, nil when there is
    /// no such chart.
    static func xLabels(_ frame: [String], panel title: String) -> [String]? {
        let rows = frame.map(Array.init)
        guard let titleRow = frame.firstIndex(where: { $0.contains("╭ " + title) }),
            let column = rows[titleRow].indices.first(where: { rows[titleRow][$0...].starts(with: Array("╭ " + title)) }
            ),
            let axis = rows[titleRow...].firstIndex(where: {
                $0.count > column && $0[column...].prefix(8).contains("└")
            }),
            let corner = rows[axis][column...].firstIndex(of: "└")
        else { return nil }
        return String(rows[axis + 1][corner...].prefix { $0 != "│" }).split(separator: " ").map(String.init)
    }

    /// Bug: a run of two epochs had its per-epoch charts ticked 1.0, 1.5, 2.0, on the Train screen and on the
    /// Robustness screen: epoch 1.5 is not an epoch, and every other figure (the status line, metrics.csv,
    /// "epochs 2/2") counts whole ones. The ticks are now whole epochs.
    @Test func twoEpochsAreTickedAsWholeEpochs() {
        for (kind, title) in [(Job.Kind.classifierTraining, "per epoch"), (.robustness, "test accuracy per epoch")] {
            let frame = WorkbenchFixture.jobFrame(kind: kind, title: "mlp", width: 200, height: 40) { snapshot in
                snapshot.epochSeries = ["test_accuracy": [0.80, 0.84]]
                snapshot.epoch = 2
                if kind == .classifierTraining { snapshot.series = ["loss": [1, 0.8, 0.5]] }
                if kind == .robustness { snapshot.curves["pgd"] = ([0, 0.1], [0.84, 0.2]) }
            }
            let labels = Self.xLabels(frame, panel: title)
            #expect(
                labels == ["1", "2"], "\(kind): \(labels ?? [])\n\(frame.joined(separator: "\n"))")
        }
    }
}
