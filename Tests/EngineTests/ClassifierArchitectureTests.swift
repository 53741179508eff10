import Foundation
import Models
import TensorCore
import Testing

@testable import Engine

/// `train cnn --net madry|wong`: the anchors' networks with PyTorch's parameter names and shapes, saved
/// in config.json and rebuilt from it.
@Suite struct ClassifierArchitectureTests {
    /// The names and shapes PyTorch's `nn.Sequential` of each model has (Madry et al.'s TF model written
    /// as a Sequential: conv, ReLU, pool, conv, ReLU, pool, flatten, fc, ReLU, fc; Wong et al.'s
    /// `mnist_net`: conv, ReLU, conv, ReLU, flatten, fc, ReLU, fc).
    @Test func parameterNamesAndShapesArePyTorchs() {
        var generator = RandomGenerator(seed: 1)
        let madry = Classifier(kind: .cnn, architecture: .madry, generator: &generator)
        #expect(
            madry.namedParameters.map(\.name) == [
                "0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias",
            ])
        #expect(
            madry.namedParameters.map(\.tensor.shape) == [
                [32, 1, 5, 5], [32], [64, 32, 5, 5], [64], [1024, 3136], [1024], [10, 1024], [10],
            ])
        let wong = Classifier(kind: .cnn, architecture: .wong, generator: &generator)
        #expect(
            wong.namedParameters.map(\.name) == [
                "0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias", "7.weight", "7.bias",
            ])
        #expect(
            wong.namedParameters.map(\.tensor.shape) == [
                [16, 1, 4, 4], [16], [32, 16, 4, 4], [32], [100, 1568], [100], [10, 100], [10],
            ])
        // PyTorch's default initialisation: uniform in +-1/sqrt(fan_in).
        let bound = 1 / Float(16 * 4 * 4).squareRoot()
        #expect(wong.namedParameters[2].tensor.scalars.allSatisfy { Swift.abs($0) <= bound })
        for model in [madry, wong] {
            #expect(model(Tensor(zeros: [3, 784])).shape == [3, 10])
        }
    }

    /// The architecture is recorded as `net`, rebuilt by `LoadedClassifierRun`, and a resume asking for
    /// another is refused.
    @Test func theArchitectureIsRecordedAndReloaded() throws {
        let root = TrainingSessionTests.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = RunDirectory(root: root, name: "wong")
        var request = TrainingSessionTests.tiny(.classifier(.cnn), epochs: 1)
        request.architecture = .wong
        let session = try TrainingSession(try TrainingPlan.new(request, run: run))
        try TrainingSessionTests.finish(session)
        session.close()
        #expect(try run.readConfig()["net"]?.stringValue == "wong")
        #expect(Classifier.Architecture.of(try run.readConfig()) == .wong)
        let loaded = try LoadedClassifierRun.load(run: run, option: "--run")
        #expect(loaded.model.architecture == .wong)
        #expect(
            loaded.model.namedParameters.map(\.tensor.scalars)
                == session.training.module.namedParameters.map(\.tensor.scalars))
        var more = TrainingRequest(model: .classifier(.cnn))
        (more.epochs, more.architecture) = (2, .madry)
        #expect(throws: RunError.self) { try TrainingPlan.resume(more, run: run) }
        more.architecture = nil
        #expect(try TrainingPlan.resume(more, run: run).architecture == .wong)
        var mlp = TrainingRequest(model: .classifier(.mlp))
        mlp.architecture = .madry
        #expect(throws: TrainingRequestError.self) {
            try TrainingPlan.new(mlp, run: RunDirectory(root: root, name: "m"))
        }
    }
}
