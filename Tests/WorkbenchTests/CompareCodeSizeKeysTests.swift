import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Compare screen's `↑` `↓` (`+` `-`): the k whose reconstructions are shown.
@Suite struct CompareCodeSizeKeysTests {
    /// A comparison at k = 2, 10 and 30 whose reconstructions at k are captioned "pK.0N" / "aK.0N".
    static func comparisonJob() -> Job {
        WorkbenchFixture.job(kind: .comparison, title: "ae vs pca · synthetic") { snapshot in
            func strip(_ caption: (Int) -> String) -> [Snapshot.Image] {
                (0..<8).map {
                    Snapshot.Image(
                        width: 4, height: 4, values: [Float](repeating: 0.5, count: 16), caption: caption($0))
                }
            }
            snapshot.images["originals"] = strip { "o.0\($0)" }
            for k in [2, 10, 30] {
                snapshot.images["pca_k\(k)"] = strip { "p\(k).0\($0)" }
                snapshot.images["ae_k\(k)"] = strip { "a\(k).0\($0)" }
            }
            snapshot.curves["pca"] = (x: [2, 10, 30], y: [0.05, 0.02, 0.0123])
            snapshot.curves["autoencoder"] = (x: [2, 10, 30], y: [0.04, 0.015, 0.0101])
            snapshot.figures = [("autoencoders", "3/3 trained")]
        }
    }

    /// Bug: the keys were changes sent to the comparison's runner, so once `x` had stopped it (its runner
    /// ended) they were refused ("does nothing: ... is stopped"), though they only choose what is shown. The
    /// screen chooses k itself from the snapshot's groups of every k.
    @Test func theKeysChooseTheCodeSizeOfAStoppedComparison() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = Self.comparisonJob()
        state.add(job)
        _ = state.handle(.key(.character("x")))
        let deadline = Date().addingTimeInterval(10)
        while job.runner.snapshot.status != .stopped && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(job.runner.snapshot.status == .stopped)
        func shown() -> String { WorkbenchFixture.frame(state, width: 120, height: 40).joined(separator: "\n") }
        #expect(shown().contains("p30.00") && shown().contains("a30.00"))
        _ = state.handle(.key(KeyEvent(.down)))
        #expect(state.message == "showing k = 10")
        var frame = shown()
        #expect(frame.contains("p10.00") && frame.contains("a10.00") && !frame.contains("p30.00"), "\(frame)")
        let figures = frame.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(figures.contains { $0.contains("PCA test mse 0.02000") }, "\(frame)")
        #expect(figures.contains { $0.contains("AE test mse 0.01500") }, "\(frame)")
        _ = state.handle(.key(.character("-")))
        _ = state.handle(.key(.character("-")))
        #expect(state.message == "showing k = 2 already (the smallest)")
        _ = state.handle(.key(KeyEvent(.up)))
        frame = shown()
        #expect(
            state.message == "showing k = 10"
                && frame.split(separator: "\n").contains {
                    $0.split(separator: " ").joined(separator: " ").contains("k shown 10")
                }, "\(frame)")
        // The other job keys still say the stopped job takes nothing.
        _ = state.handle(.key(.character(" ")))
        #expect(state.message.contains("is stopped"), "\(state.message)")
    }

    /// Before PCA is fitted no k is known: the keys say so instead of moving to a k with no images.
    @Test func beforePCAIsFittedTheKeysSaySo() {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .comparison, title: "ae vs pca · synthetic") { _ in }
        defer { job.runner.send(.stop) }
        state.add(job)
        _ = state.handle(.key(KeyEvent(.up)))
        #expect(state.message == "↑: the code sizes k are known once PCA is fitted", "\(state.message)")
        #expect(job.shownCodeSize == nil)
    }
}
