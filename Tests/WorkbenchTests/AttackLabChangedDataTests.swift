import Engine
import Foundation
import Models
import Testing

@testable import Workbench

/// The Attack lab (Runs `Enter` on a classifier) loads a run as `manifold attack` does: the run's classifier
/// (config.json's image size and classes) and the test split alone.
@Suite struct AttackLabChangedDataTests {
    /// Starts the lab on `run` and waits for its set-up: the runner's status and the lab's figures.
    static func start(_ run: RunDirectory) throws -> Job {
        let job = try Job.attack(run: run, running: false)
        let deadline = Date().addingTimeInterval(60)
        while job.runner.snapshot.status == .preparing && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return job
    }

    /// Bug: the lab built the classifier from the data's class count and size: on data now of 5 classes
    /// (which `attack` takes) it failed with "tensor '4.weight' has shape [10, 256], the model expects
    /// [5, 256]", and on images of another size it blamed model.safetensors instead of the data.
    @Test func theLabTakesWhatAttackTakesAndRefusesWhatItRefuses() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let (run, data) = try TinyIDXFolder.classifierWhoseDataLostClasses(root: root)
        let fewer = try Self.start(run)
        defer { fewer.runner.send(.stop) }
        #expect(fewer.runner.snapshot.status == .paused, "\(fewer.runner.snapshot.status)")
        #expect(fewer.runner.snapshot.figures.contains { $0.name == "method" })

        try TinyIDXFolder.write(data, height: 12, width: 12, classes: 10)
        let other = try Self.start(run)
        defer { other.runner.send(.stop) }
        #expect(
            other.runner.snapshot.status
                == .failed(
                    "the run's data (config.json's 'data'): '\(data)' has 12x12 images, but run 'clf' takes 8x8; "
                        + "the data or config.json changed since it was trained"))
    }

    /// Bug: the lab read the training files too, which `attack`, `eval` and Runs `e` never read: on a folder of
    /// the test files alone it failed for want of train-images-idx3-ubyte.
    @Test func theLabReadsTheTestSplitAlone() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        let data = "\(root)/idx"
        try TinyIDXFolder.write(data)
        let run = try TinyIDXFolder.trainRun("clf", model: .classifier(.mlp), data: data, root: root)
        try TinyIDXFolder.write(data, training: false)
        let job = try Self.start(run)
        defer { job.runner.send(.stop) }
        #expect(job.runner.snapshot.status == .paused, "\(job.runner.snapshot.status)")
        #expect(job.runner.snapshot.figures.contains { $0.name == "method" })
    }
}
