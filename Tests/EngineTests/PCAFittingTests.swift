import Datasets
import Testing

@testable import Engine

@Suite struct PCAFittingTests {
    /// Bug: `test_explained_variance` was the training spectrum's ratio, whatever the test images were. Here
    /// the training images vary along the first pixel only and the test images along the second: one
    /// direction explains all the training variance and none of the test variance.
    @Test func theTestExplainedVarianceIsMeasuredOnTheTestImages() throws {
        let dataset = Dataset(
            name: "axes", classNames: ["a", "b"], imageHeight: 1, imageWidth: 2,
            trainImages: [1, 0, -1, 0, 2, 0, -2, 0], trainLabels: [0, 1, 0, 1],
            testImages: [0, 1, 0, -1], testLabels: [0, 1])
        let fitting = PCAFitting(dataset: dataset, components: 1, seed: 0)
        let report = try fitting.step()
        #expect(abs(fitting.model.explainedVarianceRatio() - 1) < 1e-6)
        let explained = try #require(report.metrics["test_explained_variance"])
        #expect(abs(explained) < 1e-6, "\(explained)")
        #expect(abs((report.metrics["test_mse"] ?? 0) - 0.5) < 1e-6)
    }
}
