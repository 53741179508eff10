import Engine
import Foundation
import Testing

@testable import Workbench

/// The Robustness screen on a classifier of a data folder with fewer classes than AutoAttack's targeted
/// DLR loss needs (4).
@Suite struct RobustnessFewClassesTests {
    /// Bug: on a 3-class (or 2-class) run the view failed part-way, at APGD-T, with "the targeted DLR loss
    /// needs at least 4 classes; the model has 3", losing the figures of the other attacks. It now runs
    /// the attacks the classes allow and says which.
    @Test func aThreeClassRunIsSweptWithoutTheTargetedAttack() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        for classes in [2, 3] {
            let data = "\(root)/c\(classes)"
            try writeIDXDataset(folder: data, side: 4, count: 12, classes: classes)
            try trainRuns([["mlp", "--run", "r\(classes)", "--data", data]], options: ["--quiet"], runsRoot: root)
            let job = try Job.robustness(run: RunDirectory(root: root, name: "r\(classes)"), running: true)
            defer { job.runner.send(.stop) }
            WorkbenchLockReleaseTests.wait(for: .finished, of: job)
            let snapshot = job.runner.snapshot
            let attacks = snapshot.figures.first { $0.name == "attacks" }?.value
            #expect(attacks == "fgsm, pgd, apgd-ce, square", "\(classes) classes: \(attacks ?? "none")")
            // Bug: the list was cut to "fgsm, pgd, apgd-ce…" in the 40-column figures panel, so the screen never
            // showed that APGD-T was left out: a figure of its own says so, short enough to be read whole.
            let leftOut = snapshot.figures.first { $0.name == "left out" }?.value
            #expect(leftOut == "apgd-t (\(classes) classes)", "\(classes) classes: \(leftOut ?? "none")")
            #expect(snapshot.checks.count == 6, "\(classes) classes")
        }
    }
}
