import Datasets
import Engine
import Models
import TensorCore
import TerminalUI
import Testing

@testable import Workbench

/// The Train screen's `a` / `d` / `b` on an adversarial autoencoder: which networks the steps update.
@Suite struct FocusKeysTests {
    /// The answers say it in the help's words; before, they showed the enum's raw value
    /// ("updating: autoencoderOnly").
    @Test func theAnswersSayWhichNetworksUpdate() throws {
        var generator = RandomGenerator(seed: 1)
        let dataset = try DatasetLoader.load("synthetic", seed: 0).subset(train: 64, test: 16)
        let training = GenerativeTraining(
            model: AdversarialAutoencoder(latent: 2, prior: .gaussian, generator: &generator), dataset: dataset,
            batchSize: 16, learningRate: 1e-3, epochs: 1, seed: 0)
        let job = WorkbenchFixture.job(kind: .generativeTraining, title: "aae") { _ in }
        defer { job.runner.send(.stop) }
        job.addFocusControls()
        func press(_ key: Character) throws -> String {
            let change = try #require(job.controls(KeyEvent(.character(key))))
            return change(training)
        }
        #expect(try press("b") == "updating only the autoencoder")
        #expect(try press("d") == "updating only the adversary")
        #expect(try press("a") == "updating both networks")
    }
}
