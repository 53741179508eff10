import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// `s` saves the weights of every training job, as the `?` overlay ("save the weights now") and README say.
/// Before, on a generative training (AE, VAE, AAE, WAE, DAE, DDPM: every Home item but the classifiers) it
/// answered "ae · synthetic has no weights to save (s saves a training job's)" and saved nothing.
@Suite struct GenerativeSaveKeyTests {
    @Test func sSavesAGenerativeTrainingsWeights() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var request = TrainingRequest(model: .generative(.aae))
        (request.data, request.trainLimit, request.testLimit, request.epochs, request.batch) =
            ("synthetic", 64, 16, 2, 16)
        let job = try Job.train(request, running: false, root: root)
        defer { job.runner.send(.stop) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        state.add(job)
        #expect(state.screen is TrainScreen)
        Self.wait(job) { $0.status == .paused && $0.step == 0 }
        _ = state.handle(.key(.character(".")))
        Self.wait(job) { $0.status == .paused && $0.step == 1 }
        // Bug: saved before the first epoch ended, the weights made the run's folder without a config.json,
        // which Runs never listed and quitting left behind. Nothing is saved before the run is made.
        _ = state.handle(.key(.character("s")))
        #expect(!state.message.contains("no weights"), "\(state.message)")
        Self.wait(job) { $0.message.hasPrefix("nothing saved") }
        let run = try #require(job.run)
        #expect(
            job.runner.snapshot.message
                == "nothing saved: the run \(run.name) is made when its first epoch ends (s saves the weights after)")
        #expect(!FileManager.default.fileExists(atPath: run.path))
        // The first epoch is 4 steps of 16 images: at step 5 the run is made.
        for step in 2...5 {
            _ = state.handle(.key(.character(".")))
            Self.wait(job) { $0.status == .paused && $0.step == step }
        }
        Self.wait(job) { _ in FileManager.default.fileExists(atPath: run.file("config.json")) }
        _ = state.handle(.key(.character("s")))
        Self.wait(job) { $0.message.hasPrefix("weights saved to") }
        let file = run.file("model-step5.safetensors")
        #expect(job.runner.snapshot.message == "weights saved to \(file)", "\(job.runner.snapshot.message)")
        #expect(FileManager.default.fileExists(atPath: file))
        // The adversarial pair's own keys stay.
        _ = state.handle(.key(.character("b")))
        Self.wait(job) { $0.message == "updating only the autoencoder" }
        #expect(job.runner.snapshot.message == "updating only the autoencoder")
    }

    /// Waits (at most a minute) until `job`'s snapshot passes `done`; a failed job fails the test.
    static func wait(_ job: Job, until done: (Snapshot) -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while !done(job.runner.snapshot) && Date() < deadline {
            if case .failed(let reason) = job.runner.snapshot.status {
                Issue.record("\(reason)")
                return
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}
