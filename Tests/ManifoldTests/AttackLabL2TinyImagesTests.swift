import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab's pgd-l2 on a data folder of 1x1 images, where no L2 ball is wider than 1.
@Suite struct AttackLabL2TinyImagesTests {
    /// Bug: the lab held pgd-l2's radius to 28, the bound of 28x28 images: on 1x1 images `n` into pgd-l2
    /// from eps 0.125 (L2 1.25) failed to start ("L2 radius eps must be in (0, 1.0], got 1.25"), and `+` at
    /// L2 1 answered the same error. The radius now stops at the images' largest L2 distance, 1 here.
    @Test func theRadiusStopsAtTheLargestDistance() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let data = "\(root)/one"
        try writeIDXDataset(folder: data, side: 1, count: 12, classes: 3)
        try trainRuns([["mlp", "--run", "r", "--data", data]], options: ["--quiet"], runsRoot: root)
        let job = try Job.attack(
            run: RunDirectory(root: root, name: "r"), method: "pgd-l2", epsilon: 1.25, running: true)
        defer { job.runner.send(.stop) }
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic",
            screens: ScreenRegistry.standard(runsRoot: root))
        state.add(job)
        func wait(until done: () -> Bool) {
            let deadline = Date().addingTimeInterval(60)
            while !done() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        }
        wait {
            if case .failed = job.runner.snapshot.status { return true }
            return job.runner.snapshot.figures.contains { $0.name == "eps" }
        }
        #expect(job.runner.snapshot.status != .failed("L2 radius eps must be in (0, 1.0], got 1.25"))
        let eps = job.runner.snapshot.figures.first { $0.name == "eps" }?.value
        #expect(eps == "1 (L2)", "eps \(eps ?? "not shown"), \(job.runner.snapshot.status)")
        _ = state.handle(.key(.character("+")))
        wait { !job.runner.snapshot.message.isEmpty }
        // At the bound, `+` leaves the radius and says so (the lab's keys stop at their bounds).
        #expect(
            job.runner.snapshot.message.contains("L2 eps 1 already (the largest: x1.25 would pass 1)"),
            "\(job.runner.snapshot.message)")
    }
}
