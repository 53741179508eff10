import Datasets
import Foundation
import Models
import TensorCore
import Testing

@testable import Engine

/// Non-finite values stop training with a one-line RuntimeFault naming the step and the tensor, before
/// anything non-finite could be saved.
@Suite struct NumericalFaultTests {
    static let dataset = SyntheticDigits.make(trainCount: 64, testCount: 16, seed: 9)

    @Test func classifierUpdateThatOverflowsNamesTheParameter() throws {
        var generator = RandomGenerator(seed: 9)
        let model = Classifier(kind: .mlp, hiddenWidth: 8, generator: &generator)
        let training = ClassifierTraining(
            model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 2, seed: 9)
        _ = try training.step()
        training.optimizer.learningRate = .infinity
        do {
            _ = try training.step()
            Issue.record("an infinite update was accepted")
        } catch let fault as RuntimeFault {
            #expect(fault.description.contains("parameter '"), "\(fault)")
            #expect(fault.description.contains("epoch 1, step 2"), "\(fault)")
            #expect(!fault.description.contains("\n"))
        }
    }

    /// A fault before the first epoch ends said "the last saved checkpoint is kept" when nothing had been
    /// saved (checkpoints are written at epoch ends; a new run then leaves no folder). Now it says nothing
    /// was saved, and a fault after an epoch has ended still says its checkpoint is kept.
    @Test func faultsSayWhetherAnyCheckpointWasSaved() throws {
        /// The fault that `step` throws, recorded as an issue when it throws none.
        func faultOfNextStep(_ step: () throws -> Void) throws -> String {
            do {
                try step()
            } catch let fault as RuntimeFault {
                return fault.description
            }
            Issue.record("an infinite update was accepted")
            return ""
        }
        func classifierFault(afterSteps steps: Int) throws -> String {
            var generator = RandomGenerator(seed: 9)
            let model = Classifier(kind: .mlp, hiddenWidth: 8, generator: &generator)
            let training = ClassifierTraining(
                model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 2, seed: 9)
            for _ in 0..<steps { _ = try training.step() }
            training.optimizer.learningRate = .infinity
            return try faultOfNextStep { _ = try training.step() }
        }
        func generativeFault(afterSteps steps: Int) throws -> String {
            var generator = RandomGenerator(seed: 9)
            let model = VariationalAutoencoder(pixels: 784, hidden: 16, latent: 2, generator: &generator)
            let training = GenerativeTraining(
                model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 2, seed: 9)
            for _ in 0..<steps { _ = try training.step() }
            training.learningRate = .infinity
            return try faultOfNextStep { _ = try training.step() }
        }
        // 64 training images in batches of 16: the first epoch ends after step 4.
        for text in [try classifierFault(afterSteps: 1), try generativeFault(afterSteps: 1)] {
            #expect(text.contains("epoch 1, step 2"), "\(text)")
            #expect(text.contains("nothing was saved") && !text.contains("checkpoint is kept"), "\(text)")
        }
        for text in [try classifierFault(afterSteps: 4), try generativeFault(afterSteps: 4)] {
            #expect(text.contains("epoch 2, step 5"), "\(text)")
            #expect(text.contains("last saved checkpoint is kept") && !text.contains("nothing was saved"), "\(text)")
        }
    }

    @Test func classifierNonFiniteInputNamesTheLoss() throws {
        var generator = RandomGenerator(seed: 9)
        let model = Classifier(kind: .mlp, hiddenWidth: 8, generator: &generator)
        let training = ClassifierTraining(
            model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 2, seed: 9)
        training.inputTransform = { images, _, _ in images * Float.nan }
        do {
            _ = try training.step()
            Issue.record("a NaN batch was accepted")
        } catch let fault as RuntimeFault {
            // Depending on how NaN flows through log-softmax, the loss or the first gradient is named.
            let text = fault.description
            #expect(text.contains("training loss became NaN") || text.contains("gradient of '0.weight'"), "\(text)")
            #expect(text.contains("at epoch 1, step 1"), "\(text)")
        }
    }

    @Test func generativeUpdateThatOverflowsNamesTheParameter() throws {
        var generator = RandomGenerator(seed: 9)
        let model = VariationalAutoencoder(pixels: 784, hidden: 16, latent: 2, generator: &generator)
        let training = GenerativeTraining(
            model: model, dataset: Self.dataset, batchSize: 16, learningRate: 1e-3, epochs: 2, seed: 9)
        _ = try training.step()
        training.learningRate = .infinity
        do {
            _ = try training.step()
            Issue.record("an infinite update was accepted")
        } catch let fault as RuntimeFault {
            #expect(
                fault.description.contains("became") && fault.description.contains("step 2"), "\(fault)")
            #expect(!fault.description.contains("\n"))
        }
    }
}
