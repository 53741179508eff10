import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `+` / `-` on a training job change the learning rate it trains at; the run records the rate it goes on at.
@Suite struct LiveLearningRateTests {
    /// What `job`'s runner answers to `question`, asked on its queue between steps (after every command sent
    /// before it); the status line then starts with "answer".
    static func ask(_ job: Job, _ question: @escaping @Sendable (any Experiment) -> String) -> String {
        let marker = "answer \(UUID().uuidString):"
        job.runner.send(.adjust { experiment in marker + question(experiment) })
        let deadline = Date().addingTimeInterval(60)
        while !job.runner.snapshot.message.hasPrefix(marker) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        return String(job.runner.snapshot.message.dropFirst(marker.count))
    }

    /// The learning rate `job`'s classifier training updates with, read on the runner's queue.
    static func learningRate(of job: Job) -> String {
        ask(job) { experiment in
            // The runner hands over what the job's set-up built.
            (experiment as? ClassifierTraining).map { "\($0.optimizer.learningRate)" } ?? "none"
        }
    }

    /// Waits until `job`'s status line has an answer that passes `done`.
    static func waitForMessage(of job: Job, _ done: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(60)
        while !done(job.runner.snapshot.message) && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        return job.runner.snapshot.message
    }

    /// A plain workbench (no colour) on the runs of `root`.
    static func workbench(root: String) -> WorkbenchState {
        WorkbenchState(
            theme: Theme.dark, colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic",
            screens: ScreenRegistry.standard(runsRoot: root))
    }

    /// Bug: `+` doubled the learning rate the run trained at, but config.json's `lr` kept the rate the run
    /// started with: the saved run claimed a rate its last epochs were not trained at, Runs' `t` and `train
    /// --resume` went back to the old rate without a word, and the divergence warning named the old rate.
    /// Now each epoch's save records the rate in effect, which a resume continues at.
    @Test func aLearningRateChangedLiveIsWhatTheSavedRunRecordsAndAResumeContinuesAt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = try WorkbenchLockReleaseTests.savedRun(root: root)
        var state = Self.workbench(root: root)
        let job = try Job.resume(run: run, extraEpochs: 1, running: false)
        defer { for job in state.jobs { job.runner.send(.stop) } }
        WorkbenchLockReleaseTests.wait(for: .paused, of: job)
        state.add(job)
        _ = state.handle(.key(.character("+")))
        let answer = Self.waitForMessage(of: job) { $0.hasPrefix("learning rate") }
        #expect(answer == "learning rate 0.002", "\(answer)")
        #expect(Self.learningRate(of: job) == "0.002")
        _ = state.handle(.key(.character(" ")))
        WorkbenchLockReleaseTests.wait(for: .finished, of: job)
        let config = try run.readConfig()
        #expect(config["lr"]?.doubleValue == 0.002, "\(config["lr"].map { $0.serialized() } ?? "no lr")")
        // Runs' `t` goes on at the rate the run was left at.
        let again = try Job.resume(run: run, extraEpochs: 1, running: false)
        defer { again.runner.send(.stop) }
        WorkbenchLockReleaseTests.wait(for: .paused, of: again)
        #expect(Self.learningRate(of: again) == "0.002")
    }

    /// Bug: on a fast-FGSM (fgsm-rs) training, Home's "Adversarial training: MLP, fast FGSM", `+` answered
    /// "learning rate 0.01", but the run's one-cycle schedule set the rate again before the next update:
    /// the status line named a rate that was never used. Now `+` and `-` say the schedule sets the rate.
    @Test func plusOnAScheduledLearningRateSaysTheScheduleSetsIt() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic",
            screens: ScreenRegistry.standard(runsRoot: root))
        let job = try Job.trainClassifier(
            kind: .mlp, dataSpec: "synthetic", epochs: 1, seed: 0, running: false,
            adversarial: AdversarialTrainingSettings(method: .fastFGSM, epsilon: 0.1), root: root)
        defer { for job in state.jobs { job.runner.send(.stop) } }
        WorkbenchLockReleaseTests.wait(for: .paused, of: job)
        state.add(job)
        _ = state.handle(.key(.character(".")))
        let deadline = Date().addingTimeInterval(60)
        while job.runner.snapshot.step < 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        let scheduled = Self.learningRate(of: job)
        for key in ["+", "-"] {
            _ = state.handle(.key(.character(Character(key))))
            let answer = Self.waitForMessage(of: job) { !$0.hasPrefix("answer ") }
            #expect(answer.contains("one-cycle schedule") && answer.contains("change nothing"), "\(key): \(answer)")
            #expect(Self.learningRate(of: job) == scheduled, "\(key)")
        }
    }

    /// Bug: `-` held down took the learning rate to 1e-06 and clamped it there, off its ladder of halvings, so
    /// as many `+` did not bring it back (0.001 after 12 `-` and 12 `+` was 0.004096, shown as "0.0041"); the
    /// figures showed the rate to two digits (0.512 as "0.51"). A press that would pass a bound now leaves the
    /// rate as it is and says so, and the rate is shown as the optimizer uses it.
    @Test func theLearningRateKeysStopAtTheirBoundsAndComeBack() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        var state = WorkbenchState(
            theme: Theme.dark, colorDepth: .none, kittyGraphics: false, dataSpec: "synthetic",
            screens: ScreenRegistry.standard(runsRoot: root))
        let job = try Job.trainClassifier(
            kind: .mlp, dataSpec: "synthetic", epochs: 1, seed: 0, running: false, root: root)
        defer { for job in state.jobs { job.runner.send(.stop) } }
        WorkbenchLockReleaseTests.wait(for: .paused, of: job)
        state.add(job)
        func press(_ key: Character, times: Int) {
            for _ in 0..<times { _ = state.handle(.key(.character(key))) }
        }
        press("-", times: 200)
        #expect(Self.learningRate(of: job) == "1.953125e-06")
        press("+", times: 9)
        #expect(Self.learningRate(of: job) == "0.001")
        press("+", times: 200)
        #expect(Self.learningRate(of: job) == "0.512")
        press("+", times: 1)
        let answer = Self.waitForMessage(of: job) { !$0.hasPrefix("answer ") }
        #expect(answer == "learning rate 0.512 already (the highest: doubling it would pass 1)", "\(answer)")
        state.prepareFrame()
        var buffer = Buffer(width: 140, height: 45)
        state.render(into: &buffer)
        let figure = buffer.lines.first { $0.contains("learning rate") }
        #expect(figure?.contains(" 0.512\u{2502}") == true, "\(figure ?? buffer.lines.joined(separator: "\n"))")
    }

    /// Bug: `+` on a training that had finished answered "learning rate 0.002", though no step and no save
    /// were left to use it (Space, `.` and `>` there did nothing without a word: FinishedJobKeysTests). It
    /// now says the training has finished and keeps the rate.
    @Test func plusOnAFinishedTrainingSaysItHasFinished() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let run = try WorkbenchLockReleaseTests.savedRun(root: root)
        var state = Self.workbench(root: root)
        let job = try Job.resume(run: run, extraEpochs: 1, running: true)
        defer { for job in state.jobs { job.runner.send(.stop) } }
        WorkbenchLockReleaseTests.wait(for: .finished, of: job)
        state.add(job)
        _ = Self.learningRate(of: job)
        _ = state.handle(.key(.character("+")))
        let answer = Self.waitForMessage(of: job) { !$0.hasPrefix("answer ") }
        #expect(answer == "learning rate 0.001 kept: the training has finished (Runs' t trains the run on)")
        #expect(Self.learningRate(of: job) == "0.001")
    }
}
