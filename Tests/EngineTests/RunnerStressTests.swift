import Datasets
import Foundation
import Models
import Synchronization
import TensorCore
import Testing

@testable import Engine

/// The engine/UI handoff under load: a real (tiny) ClassifierTraining on a Runner, snapshots read from
/// several threads while another thread fires run/pause/step/adjust commands. Run it under the thread
/// sanitizer with `swift test --sanitize=thread --filter RunnerStressTests`.
/// Counters shared by the stress threads (atomics and a mutex: safe from any thread).
final class StressCounters: Sendable {
    let epochs = Atomic<Int>(0)
    let reads = Atomic<Int>(0)
    let commands = Atomic<Int>(0)
    let violations = Mutex<[String]>([])

    func violation(_ text: String) { violations.withLock { $0.append(text) } }
}

/// Runs `body` on a thread of its own (not the global queue, whose few workers the readers would hog).
func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
}

@Suite struct RunnerStressTests {
    @Test func snapshotsAndCommandsWhileTraining() throws {
        let dataset = SyntheticDigits.make(trainCount: 192, testCount: 48, seed: 3)
        var generator = RandomGenerator(seed: 3)
        let model = Classifier(
            kind: .mlp, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
            classCount: dataset.classCount,
            hiddenWidth: 16, generator: &generator)
        let training = ClassifierTraining(
            model: model, dataset: dataset, batchSize: 16, learningRate: 1e-3, epochs: 1_000, seed: 3)
        let counters = StressCounters()
        let runner = Runner(experiment: training, label: "stress", heavyEvery: 5) { report in
            if report.epochSummary != nil { counters.epochs.add(1, ordering: .relaxed) }
            return nil
        }
        runner.start(running: true)

        let deadline = Date().addingTimeInterval(2.0)
        let group = DispatchGroup()
        for reader in 0..<3 {
            spawn(group) {
                var lastStep = 0
                while Date() < deadline {
                    let snapshot = runner.snapshot
                    if snapshot.step < lastStep {
                        counters.violation("reader \(reader): step went back \(lastStep) -> \(snapshot.step)")
                    }
                    if snapshot.step > snapshot.totalSteps {
                        counters.violation("step \(snapshot.step) beyond \(snapshot.totalSteps)")
                    }
                    if let losses = snapshot.series["loss"], losses.contains(where: { !$0.isFinite }) {
                        counters.violation("non-finite loss in series")
                    }
                    lastStep = snapshot.step
                    counters.reads.add(1, ordering: .relaxed)
                }
            }
        }
        spawn(group) {
            var i = 0
            while Date() < deadline {
                switch i % 6 {
                case 0: runner.send(.pause)
                case 1: runner.send(.step(3))
                case 2: runner.send(.run)
                case 3:
                    runner.send(
                        .adjust { experiment in
                            guard let training = experiment as? ClassifierTraining else { return "not a classifier" }
                            training.optimizer.learningRate = training.optimizer.learningRate == 1e-3 ? 2e-3 : 1e-3
                            return "lr \(training.optimizer.learningRate)"
                        })
                case 4: runner.send(.step(1))
                default: runner.send(.run)
                }
                i += 1
                counters.commands.add(1, ordering: .relaxed)
                usleep(300)
            }
        }
        group.wait()
        runner.send(.run)
        #expect(waitUntil(10) { runner.snapshot.step > 0 })
        runner.send(.stop)
        #expect(waitUntil(10) { runner.snapshot.status == .stopped })
        let final = runner.snapshot
        let violations = counters.violations.withLock { $0 }
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        #expect(final.step == training.stepsTaken, "snapshot \(final.step), experiment \(training.stepsTaken)")
        #expect(final.epoch == counters.epochs.load(ordering: .relaxed))
        #expect(final.message.hasPrefix("lr "), "\(final.message)")
        #expect(counters.reads.load(ordering: .relaxed) > 1_000 && counters.commands.load(ordering: .relaxed) > 100)
        print(
            "runner stress: \(final.step) steps, \(counters.reads.load(ordering: .relaxed)) snapshot reads, \(counters.commands.load(ordering: .relaxed)) commands"
        )
    }
}
