import Foundation
import Testing

@testable import Engine

/// A job whose set-up is slow: the runner shows `.preparing` until it is built on the runner's queue,
/// then steps and changes reach the built experiment; a failed set-up is shown, not retried at once.
@Suite struct DeferredExperimentTests {
    @Test func setUpRunsOnTheQueueBeforeTheFirstStep() {
        let gate = DispatchSemaphore(value: 0)
        let experiment = DeferredExperiment(label: "the data") {
            gate.wait()
            return CountingExperiment(total: 5)
        }
        let runner = Runner(experiment: experiment, label: "deferred")
        runner.start(running: false)
        // Still preparing while the set-up waits; the caller was never blocked.
        #expect(runner.snapshot.status == .preparing)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(runner.snapshot.status == .preparing)
        #expect(runner.snapshot.figures.first?.value == "loading the data…")
        runner.send(
            .adjust { experiment in
                (experiment as? CountingExperiment).map { $0.scale = 3 }
                return experiment is CountingExperiment ? "built" : "not built"
            })
        runner.send(.step(1))
        gate.signal()
        #expect(waitUntil { runner.snapshot.step == 1 && runner.snapshot.status == .paused })
        #expect(runner.snapshot.message == "built")
        #expect(runner.snapshot.series["loss"] == [3])
        #expect(runner.snapshot.totalSteps == 5)
        runner.send(.stop)
    }

    @Test func aFailedSetUpIsShownAndStopsTheJob() {
        let experiment = DeferredExperiment(label: "the data") { throw RuntimeFault("data/x: not found") }
        let runner = Runner(experiment: experiment, label: "deferred-fail")
        runner.start(running: true)
        #expect(
            waitUntil {
                if case .failed = runner.snapshot.status { return true }
                return false
            })
        #expect(runner.snapshot.message.contains("data/x: not found"))
        runner.send(.stop)
        #expect(waitUntil { runner.snapshot.status == .stopped })
    }
}
