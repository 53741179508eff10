import Datasets
import Testing

@testable import Engine

@Suite struct CompareExperimentTests {
    /// Bug: the workbench's Compare screen on a folder of 1x1 images trapped once PCA was fitted: every
    /// default k (2 to 50) exceeds its one pixel, so no k was left, and the screen asked PCA for 30
    /// components of 1. Such images now compare at k = their pixel count.
    @Test func imagesWithFewerPixelsThanEveryCodeSizeCompareAtTheirPixelCount() throws {
        let dataset = Dataset(
            name: "dots", classNames: ["0", "1"], imageHeight: 1, imageWidth: 1,
            trainImages: (0..<40).map { Float($0 % 7) / 7 }, trainLabels: (0..<40).map { $0 % 2 },
            testImages: [0.1, 0.9, 0.5, 0.3], testLabels: [0, 1, 0, 1])
        let comparison = CompareExperiment(dataset: dataset, epochsPerAutoencoder: 1)
        #expect(comparison.codeSizes == [1])
        while !comparison.isFinished { _ = try comparison.step() }
        var snapshot = Snapshot()
        comparison.describe(into: &snapshot, includeHeavy: true)
        #expect(snapshot.curves["pca"]?.x == [1])
        #expect(snapshot.images["pca_k1"]?.count == 4 && snapshot.images["ae_k1"]?.count == 4)
        // Bug: captions read "pca 0.0123", which a 7-column cell (an 80x24 window) cut to "pca 0.…": the strips'
        // titles name the method, so a caption is the image's mse alone.
        for caption in (snapshot.images["pca_k1"] ?? []) + (snapshot.images["ae_k1"] ?? []) {
            #expect(caption.caption.count == 6 && Double(caption.caption) != nil, "\(caption.caption)")
        }
        #expect(comparison.curves.pca.map(\.0) == [1] && comparison.curves.autoencoder.map(\.0) == [1])
    }
}
