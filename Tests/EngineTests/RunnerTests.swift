import Foundation
import Testing

@testable import Engine

/// Counts steps; fails on a chosen step.
final class CountingExperiment: VisualExperiment, @unchecked Sendable {
    var count = 0
    let total: Int
    let failAt: Int?
    var scale = 1.0
    /// Progress units one step advances (a robustness sweep's step advances its hundredths of a cell by 0.1 to 5).
    var unitsPerStep = 1

    init(total: Int, failAt: Int? = nil) {
        self.total = total
        self.failAt = failAt
    }

    func step() throws -> StepReport {
        count += 1
        if count == failAt { throw RuntimeFault("loss became nan at step \(count)") }
        Thread.sleep(forTimeInterval: 0.001)
        return StepReport(metrics: ["loss": scale / Double(count)])
    }

    var isFinished: Bool { count >= total }
    var progress: (done: Int, total: Int) { (count * unitsPerStep, total * unitsPerStep) }

    func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        snapshot.figures = [("count", String(count))]
    }
}

func waitUntil(_ timeout: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.002)
    }
    return condition()
}

@Suite struct RunnerTests {
    @Test func stepsRunsPausesAndFinishes() {
        let runner = Runner(experiment: CountingExperiment(total: 200), label: "test")
        runner.start()
        #expect(waitUntil { runner.snapshot.status == .paused })
        #expect(runner.snapshot.step == 0)
        runner.send(.step(3))
        #expect(waitUntil { runner.snapshot.step == 3 && runner.snapshot.status == .paused })
        #expect(runner.snapshot.series["loss"]?.count == 3)
        #expect(runner.snapshot.figures.first?.value == "3")
        runner.send(.run)
        #expect(waitUntil { runner.snapshot.status == .finished })
        #expect(runner.snapshot.step == 200)
        runner.send(.stop)
        #expect(waitUntil { runner.snapshot.status == .stopped })
    }

    /// A paced runner takes at most the allowed steps a second while running; explicit step requests
    /// are not paced, and `pace(nil)` is full speed again. (Upper bounds only: load can only slow it.)
    @Test func paceLimitsStepsWhileRunning() {
        let runner = Runner(experiment: CountingExperiment(total: 100_000), label: "pace")
        runner.start()
        #expect(waitUntil { runner.snapshot.status == .paused })
        runner.send(.pace(10))
        runner.send(.run)
        Thread.sleep(forTimeInterval: 0.5)
        runner.send(.pause)
        #expect(waitUntil { runner.snapshot.status == .paused })
        let paced = runner.snapshot.step
        #expect(paced >= 1 && paced <= 7, "\(paced) steps in 0.5 s at 10 a second")
        runner.send(.pace(0.01))
        runner.send(.step(20))
        #expect(waitUntil(30) { runner.snapshot.step == paced + 20 }, "step requests are not paced")
        runner.send(.pace(nil))
        runner.send(.run)
        #expect(waitUntil(30) { runner.snapshot.step > paced + 100 }, "full speed again")
        runner.send(.stop)
        #expect(waitUntil { runner.snapshot.status == .stopped })
    }

    /// The steps a second a paced job shows (the workbench's throughput box, and its ETA) are the steps it
    /// takes, at most the limit: before, a job held to 1 step a second showed the speed of one step alone
    /// (150 steps/s) and an ETA of seconds for twenty minutes of steps.
    @Test func aPacedRunnerReportsThePacedRate() {
        let runner = Runner(experiment: CountingExperiment(total: 100_000), label: "paced rate")
        runner.start()
        #expect(waitUntil { runner.snapshot.status == .paused })
        runner.send(.pace(20))
        runner.send(.run)
        #expect(waitUntil { runner.snapshot.step >= 4 })
        let rate = runner.snapshot.stepsPerSecond
        #expect(rate > 0 && rate <= 20, "\(rate) steps a second shown while held to 20")
        runner.send(.stop)
        #expect(waitUntil { runner.snapshot.status == .stopped })
    }

    /// Bug: the ETA divided the progress units left by the steps a second, so a robustness sweep (whose
    /// progress counts hundredths of an attack cell) showed an ETA off by 2x and more. The runner measures the
    /// units a second too, which the ETA uses.
    @Test func theProgressRateCountsUnitsNotSteps() {
        let experiment = CountingExperiment(total: 100_000)
        experiment.unitsPerStep = 5
        let runner = Runner(experiment: experiment, label: "units")
        runner.start()
        #expect(waitUntil { runner.snapshot.status == .paused })
        runner.send(.pace(20))
        runner.send(.run)
        #expect(waitUntil { runner.snapshot.step >= 20 })
        let snapshot = runner.snapshot
        let units = snapshot.progressPerSecond ?? 0
        #expect(
            abs(units - 5 * snapshot.stepsPerSecond) < 1e-9 * units && units > 0,
            "\(units) units a second at \(snapshot.stepsPerSecond) steps a second")
        runner.send(.stop)
        #expect(waitUntil { runner.snapshot.status == .stopped })
    }

    @Test func pauseStopsBetweenSteps() {
        let runner = Runner(experiment: CountingExperiment(total: 100_000), label: "pause")
        runner.start(running: true)
        #expect(waitUntil { runner.snapshot.step > 5 })
        runner.send(.pause)
        #expect(waitUntil { runner.snapshot.status == .paused })
        let paused = runner.snapshot.step
        Thread.sleep(forTimeInterval: 0.05)
        #expect(runner.snapshot.step == paused)
        runner.send(.stop)
    }

    @Test func adjustRunsOnTheQueueAndReportsAMessage() {
        let experiment = CountingExperiment(total: 10)
        let runner = Runner(experiment: experiment, label: "adjust")
        runner.start()
        runner.send(
            .adjust { experiment in
                (experiment as! CountingExperiment).scale = 10
                return "scale set to 10"
            })
        #expect(waitUntil { runner.snapshot.message == "scale set to 10" })
        runner.send(.step(1))
        #expect(waitUntil { runner.snapshot.series["loss"] == [10] })
        runner.send(.stop)
    }

    @Test func failureStopsAndIsShown() {
        let runner = Runner(experiment: CountingExperiment(total: 10, failAt: 4), label: "fail")
        runner.start(running: true)
        #expect(
            waitUntil {
                if case .failed = runner.snapshot.status { return true }
                return false
            })
        #expect(runner.snapshot.message.contains("nan at step 4"))
        runner.send(.stop)
    }

    /// While a long first step runs (an evaluation is one step of seconds), the status is `running`;
    /// before, it stayed `paused` from the set-up until the step ended.
    @Test func aLongStepShowsAsRunning() {
        let experiment = BlockingExperiment()
        let runner = Runner(experiment: experiment, label: "long step")
        runner.start(running: true)
        #expect(experiment.entered.wait(timeout: .now() + 5) == .success)
        #expect(waitUntil(1) { runner.snapshot.status == .running }, "\(runner.snapshot.status)")
        experiment.release.signal()
        #expect(waitUntil { runner.snapshot.status == .finished })
        runner.send(.stop)
    }
}

/// Heavy views while running: an epoch's end brings one forward, but the interval still bounds them.
@Suite struct RunnerHeavyViewTests {
    /// Runs an `EpochExperiment` to its end on a runner; the steps at which heavy views were drawn while
    /// it trained (not before the first step or after the last).
    func heavySteps(total: Int, epochLength: Int, heavyEvery: Int, heavyInterval: Double) -> [Int] {
        let experiment = EpochExperiment(total: total, epochLength: epochLength)
        let runner = Runner(
            experiment: experiment, label: "epochs", heavyEvery: heavyEvery, heavyInterval: heavyInterval)
        runner.start(running: true)
        #expect(waitUntil { runner.snapshot.status == .finished })
        runner.send(.stop)
        #expect(waitUntil { runner.snapshot.status == .stopped })
        return experiment.heavySteps.withLock { $0.filter { (1..<total).contains($0) } }
    }

    @Test func epochEndsDoNotRefreshHeavyViewsMoreOftenThanTheInterval() {
        let during = heavySteps(total: 40, epochLength: 1, heavyEvery: 1, heavyInterval: 3600)
        #expect(during.isEmpty, "heavy views at steps \(during)")
    }

    @Test func anEpochEndRefreshesHeavyViewsBeforeTheirStepCount() {
        let during = heavySteps(total: 30, epochLength: 10, heavyEvery: 1_000, heavyInterval: 0)
        // The first step refreshes them (the prepared view came before any training), then the epoch ends.
        #expect(during == [1, 10, 20])
    }
}

/// Ends an epoch every `epochLength` steps; notes the step of every heavy description.
final class EpochExperiment: VisualExperiment, @unchecked Sendable {
    var count = 0
    let total: Int
    let epochLength: Int
    let heavySteps = Locked<[Int]>([])

    init(total: Int, epochLength: Int) {
        self.total = total
        self.epochLength = epochLength
    }

    func step() throws -> StepReport {
        count += 1
        let summary =
            count % epochLength == 0
            ? EpochSummary(epoch: count / epochLength, step: count, seconds: 0, metrics: []) : nil
        return StepReport(metrics: ["loss": 1 / Double(count)], epochSummary: summary)
    }

    var isFinished: Bool { count >= total }
    var progress: (done: Int, total: Int) { (count, total) }

    func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        if includeHeavy { heavySteps.withLock { [count] in $0.append(count) } }
    }
}

/// One step that waits for the test to release it.
final class BlockingExperiment: Experiment, @unchecked Sendable {
    let entered = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    var done = false

    func step() throws -> StepReport {
        entered.signal()
        release.wait()
        done = true
        return StepReport(metrics: [:])
    }

    var isFinished: Bool { done }
    var progress: (done: Int, total: Int) { (done ? 1 : 0, 1) }
}

@Suite struct PlanarProjectionTests {
    @Test func findsTheDominantPlane() {
        // Points spread along (1,1,0) strongly and (1,-1,0) weakly, none along z.
        var rows: [Float] = []
        for i in 0..<50 {
            let a = Float(i - 25) * 0.4
            let b = Float((i * 7) % 11 - 5) * 0.1
            rows += [a + b, a - b, 0]
        }
        let projected = PlanarProjection.project(rows, count: 50, dimension: 3)
        let xVariance = projected.map { $0.0 * $0.0 }.reduce(0, +)
        let yVariance = projected.map { $0.1 * $0.1 }.reduce(0, +)
        #expect(xVariance > 10 * yVariance)
        // The first axis is (1,1,0)/sqrt 2 up to sign: x = ±sqrt(2) a.
        #expect(abs(abs(projected[0].0) - Double(abs(Float(-25) * 0.4)) * 2.0.squareRoot()) < 0.5)
    }
}
