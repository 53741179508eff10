import Datasets
import Foundation
import Models
import NeuralNet

/// Fitting PCA as a one-step experiment (Pearson 1901; Hotelling 1933): the step fits the components to
/// the training images and reports the test reconstruction error and the explained variance as the
/// summary of its only epoch, so a PCA run is saved like any other.
public final class PCAFitting: ModelTraining {
    public let dataset: Dataset
    public let components: Int
    public let seed: UInt64
    public private(set) var model: PCA
    public private(set) var completedEpochs = 0
    /// Asked between the fit's rows, iterations and sweeps (a fit of Fashion-MNIST takes seconds): when it
    /// says true, `step()` throws `CancellationError` and nothing is fitted (Ctrl-C in `train pca`).
    public var isCancelled: () -> Bool = { false }

    public init(dataset: Dataset, components: Int, seed: UInt64) {
        self.dataset = dataset
        self.components = components
        self.seed = seed
        model = PCA(components: components, features: dataset.pixelCount)
    }

    public var module: any Module { model }
    public var optimizers: NamedOptimizers { NamedOptimizers([]) }
    public var isFinished: Bool { completedEpochs >= 1 }
    public var progress: (done: Int, total: Int) { (completedEpochs, 1) }

    public func step() throws -> StepReport {
        precondition(!isFinished, "step() after the fit")
        let start = Date()
        let isCancelled = self.isCancelled
        model = try PCA.fit(
            images: dataset.trainImages, features: dataset.pixelCount, components: components
        ) { () throws(CancellationError) in
            if isCancelled() { throw CancellationError() }
        }
        let seconds = Date().timeIntervalSince(start)
        completedEpochs = 1
        let metrics = [
            (name: "test_mse", value: model.reconstructionError(images: dataset.testImages)),
            (name: "test_explained_variance", value: model.explainedVarianceRatio(images: dataset.testImages)),
        ]
        return StepReport(
            metrics: Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, $0.value) }),
            epochSummary: EpochSummary(epoch: 1, step: 0, seconds: seconds, metrics: metrics))
    }
}
