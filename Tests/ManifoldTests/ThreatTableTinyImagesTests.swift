import Engine
import Foundation
import Testing

@testable import Workbench

/// The Robustness screen's threat-model table (`t`) on a data folder of tiny images, whose L2 ball cannot be
/// as wide as that of 28x28 images (no two 1x1 images in [0, 1] are more than 1 apart).
@Suite struct ThreatTableTinyImagesTests {
    /// Bug: on a run of 1x1 (or 2x2) images the table failed at its second row with "pgd-l2: L2 radius eps
    /// must be in (0, 1.0], got 2.2": the L2 budget was 28x28's. It is now the same share of the images'
    /// largest L2 distance (2.2 of 28 on 28x28 images), and the table finishes.
    @Test func aOnePixelRunGetsItsTable() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/one"
        try writeIDXDataset(folder: data, side: 1, count: 12, classes: 3)
        try trainRuns([["mlp", "--run", "r", "--data", data]], options: ["--quiet"], runsRoot: root)
        let job = try Job.threatComparison(run: RunDirectory(root: root, name: "r"), running: true)
        defer { job.runner.send(.stop) }
        WorkbenchLockReleaseTests.wait(for: .finished, of: job)
    }
}
