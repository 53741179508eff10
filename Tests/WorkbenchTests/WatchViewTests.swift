import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `manifold watch RUN` on the Train screen. A watcher reads metrics.csv, one row an epoch: it has no loss
/// per step. Before, the largest panel was the per-step loss chart, always empty while watching, and at
/// 100x30 or 80x24 the per-epoch curves (all the watcher has) gave way to the figures, so no curve showed
/// at all; a watched generative run said "waiting for the first step…" under an empty scatter for good.
@Suite struct WatchViewTests {
    static func frame(
        width: Int, height: Int, describe: @escaping @Sendable (inout Snapshot) -> Void
    ) -> String {
        WorkbenchFixture.jobFrame(
            kind: .watching, title: "watching run", width: width, height: height, describe: describe
        )
        .joined(separator: "\n")
    }

    @Test func aWatchedRunShowsItsEpochCurvesInTheLargePanel() {
        for (width, height) in [(80, 24), (100, 30), (120, 40)] {
            let frame = Self.frame(width: width, height: height) { snapshot in
                snapshot.epochSeries = ["test_accuracy": [0.80, 0.85, 0.876], "train_loss": [0.6, 0.4, 0.33]]
                snapshot.figures = [("run", "mlp-fashion"), ("model", "mlp"), ("epochs", "3/5")]
                snapshot.images["test"] = [Snapshot.Image(width: 2, height: 2, values: [0, 1, 1, 0], caption: "3")]
            }
            #expect(frame.contains("per epoch · acc 0.8760"), "\(width)x\(height):\n\(frame)")
            #expect(!frame.contains("loss terms per step"), "\(width)x\(height):\n\(frame)")
            #expect(frame.contains("mlp-fashion"), "\(width)x\(height): the figures stay\n\(frame)")
        }
    }

    @Test func aWatchedGenerativeRunSaysWhatItShows() {
        let frame = Self.frame(width: 100, height: 30) { snapshot in
            snapshot.epochSeries = ["test_neg_elbo": [140, 136]]
            snapshot.figures = [("run", "vae-synthetic"), ("model", "vae"), ("epochs", "2/10")]
        }
        #expect(!frame.contains("waiting for the first step"), "\(frame)")
        #expect(!frame.contains("codes of test images"), "\(frame)")
        #expect(frame.contains("metrics only"), "\(frame)")
    }
}
