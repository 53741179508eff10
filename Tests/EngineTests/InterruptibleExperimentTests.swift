import Datasets
import Foundation
import Testing

@testable import Engine

/// A step that runs until it is cancelled (at most 30 s): a stand-in for a long PCA fit.
final class SpinningExperiment: InterruptibleExperiment, @unchecked Sendable {
    var isCancelled: () -> Bool = { false }
    var cancelledSteps = 0

    func step() throws -> StepReport {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if isCancelled() {
                cancelledSteps += 1
                throw CancellationError()
            }
            Thread.sleep(forTimeInterval: 0.001)
        }
        return StepReport(metrics: [:])
    }

    var isFinished: Bool { false }
    var progress: (done: Int, total: Int) { (0, 1) }
}

/// Bug: the Compare screen's PCA fit (its first step) could not be stopped: the workbench's stop key `x`
/// did nothing until the fit ended (16 s on a loaded machine before the fit was made fast). The runner
/// now hands its stop request to an `InterruptibleExperiment`, and the comparison's fit asks it.
@Suite struct InterruptibleExperimentTests {
    @Test func stopEndsALongStepThroughADeferredExperiment() {
        let spinning = SpinningExperiment()
        let runner = Runner(experiment: DeferredExperiment(label: "test") { spinning }, label: "spin")
        runner.start(running: true)
        #expect(waitUntil { runner.snapshot.status == .running })
        Thread.sleep(forTimeInterval: 0.05)
        let sent = Date()
        runner.send(.stop)
        #expect(waitUntil(5) { runner.snapshot.status == .stopped }, "\(runner.snapshot.status)")
        #expect(Date().timeIntervalSince(sent) < 2, "stopped after \(Date().timeIntervalSince(sent)) s")
        #expect(spinning.cancelledSteps == 1)
    }

    @Test func aCancelledComparisonFitsNoPCA() throws {
        let dataset = SyntheticDigits.make(trainCount: 300, testCount: 40, seed: 2)
        let comparison = CompareExperiment(dataset: dataset, codeSizes: [2, 5], epochsPerAutoencoder: 1)
        var asked = 0
        comparison.isCancelled = {
            asked += 1
            return asked >= 2
        }
        #expect(throws: CancellationError.self) { try comparison.step() }
        #expect(asked == 2, "the fit went on after the cancellation")
        #expect(comparison.curves.pca.isEmpty && comparison.progress.done == 0)
        comparison.isCancelled = { false }
        _ = try comparison.step()
        #expect(comparison.curves.pca.map(\.0) == [2, 5] && comparison.progress.done == 1)
    }
}
