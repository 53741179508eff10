import Foundation
import Testing

@testable import Engine

/// A job whose set-up failed (`tui --data` a truncated IDX folder) says so in its figures.
@Suite struct DeferredLoadFailureTests {
    /// Bug: the figures said "loading the trunc dataset…" for ever while the status line showed the error.
    @Test func theFiguresSayThatLoadingFailed() {
        let experiment = DeferredExperiment(label: "the trunc dataset") {
            throw RuntimeFault("trunc/t10k-images-idx3-ubyte: cut short")
        }
        #expect(throws: RuntimeFault.self) { try experiment.prepare() }
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.figures.count == 1)
        #expect(snapshot.figures.first?.name == "status")
        #expect(
            snapshot.figures.first?.value
                == "loading the trunc dataset failed: trunc/t10k-images-idx3-ubyte: cut short")
    }

    /// Before the set-up has run (or while it runs) the figures still say it is loading.
    @Test func beforeTheSetUpTheFiguresSayLoading() {
        let experiment = DeferredExperiment(label: "the data") { CountingExperiment(total: 1) }
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.figures.first?.value == "loading the data…")
    }
}
