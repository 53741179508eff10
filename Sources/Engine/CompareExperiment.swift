import Datasets
import Foundation
import Models
import NeuralNet
import TensorCore

/// Autoencoder against PCA at the same code size k (MATH.md section 2; Hinton & Salakhutdinov 2006):
/// PCA is fitted once for every k, then one autoencoder per k trains for a few epochs, one mini-batch
/// per step. The snapshot holds both test-error curves over k, the test images and, for every k, both
/// reconstructions with their per-image errors (`imageGroup(_:codeSize:)`): the screen picks the k it
/// shows, so that choosing k needs no step of the runner (a stopped comparison still answers it).
public final class CompareExperiment: VisualExperiment, InterruptibleExperiment {
    public let dataset: Dataset
    public let codeSizes: [Int]
    public let epochsPerAutoencoder: Int
    private var pca: PCA?
    private var pcaErrors: [Double] = []
    private var autoencoders: [Int: Autoencoder] = [:]
    /// Each autoencoder's optimizers, as `GenerativeTraining` makes them.
    private var optimizers: [Int: NamedOptimizers] = [:]
    private var autoencoderErrors: [Int: Double] = [:]
    private var current = 0
    private var sampler: BatchSampler
    private var batchesDone = 0
    private var generator: RandomGenerator
    private let seed: UInt64
    private let batchSize = 128
    private let shownCount = 8
    /// Asked during the PCA fit (the first step, seconds on a large set): when it says true, `step()` throws
    /// `CancellationError` and nothing is fitted (the workbench's stop key, through the `Runner`).
    public var isCancelled: () -> Bool = { false }

    public init(
        dataset: Dataset, codeSizes: [Int] = [2, 5, 10, 20, 30, 50], epochsPerAutoencoder: Int = 2,
        seed: UInt64 = 0
    ) {
        self.dataset = dataset
        let fitting = codeSizes.filter { $0 >= 1 && $0 <= dataset.pixelCount }.sorted()
        // Images with fewer pixels than every k (a folder of 1x1 images) compare at k = their pixel count.
        self.codeSizes = fitting.isEmpty ? [dataset.pixelCount] : fitting
        self.epochsPerAutoencoder = max(1, epochsPerAutoencoder)
        self.seed = seed
        sampler = BatchSampler(
            count: dataset.trainCount, batchSize: batchSize, seed: seed, shuffle: true, dropLast: false)
        generator = RandomGenerator(seed: seed)
    }

    private var batchesPerAutoencoder: Int { sampler.batchesPerEpoch * epochsPerAutoencoder }

    public var progress: (done: Int, total: Int) {
        (
            pca == nil ? 0 : 1 + current * batchesPerAutoencoder + batchesDone,
            1 + codeSizes.count * batchesPerAutoencoder
        )
    }

    public var isFinished: Bool { pca != nil && current >= codeSizes.count }

    public func step() throws -> StepReport {
        guard let pca else {
            let isCancelled = self.isCancelled
            let fitted = try PCA.fit(
                images: dataset.trainImages, features: dataset.pixelCount, components: codeSizes.last ?? 1
            ) { () throws(CancellationError) in
                if isCancelled() { throw CancellationError() }
            }
            self.pca = fitted
            pcaErrors = codeSizes.map { fitted.reconstructionError(images: dataset.testImages, components: $0) }
            return StepReport(metrics: [:])
        }
        _ = pca
        let k = codeSizes[current]
        let model = autoencoders[k] ?? Autoencoder(pixels: dataset.pixelCount, latent: k, generator: &generator)
        autoencoders[k] = model
        let modelOptimizers = optimizers[k] ?? GenerativeTraining.makeOptimizers(for: model, learningRate: 1e-3)
        optimizers[k] = modelOptimizers
        let epoch = batchesDone / sampler.batchesPerEpoch
        let indices = sampler.batches(epoch: epoch)[batchesDone % sampler.batchesPerEpoch]
        let batch = dataset.trainBatch(indices)
        let losses = try model.trainStep(
            Tensor(shape: [indices.count, dataset.pixelCount], scalars: batch.images), optimizers: modelOptimizers,
            generator: &generator)
        batchesDone += 1
        var report = StepReport(metrics: ["ae_loss_k\(k)": losses.first?.value ?? 0])
        if batchesDone == batchesPerAutoencoder {
            let error = model.evaluate(images: dataset.testImages, generator: &generator).first?.value ?? 0
            autoencoderErrors[k] = error
            report.metrics["ae_test_mse"] = error
            current += 1
            batchesDone = 0
        }
        return report
    }

    /// The test errors over k: PCA's (all k once fitted) and the autoencoders' trained so far.
    public var curves: (pca: [(Int, Double)], autoencoder: [(Int, Double)]) {
        (Array(zip(codeSizes, pcaErrors)), codeSizes.compactMap { k in autoencoderErrors[k].map { (k, $0) } })
    }

    /// The snapshot's image group of one method's reconstructions at code size `k`: `pca_k30`, `ae_k30`.
    public static func imageGroup(_ method: String, codeSize k: Int) -> String { "\(method)_k\(k)" }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let (pcaCurve, aeCurve) = curves
        snapshot.curves["pca"] = (pcaCurve.map { Double($0.0) }, pcaCurve.map(\.1))
        snapshot.curves["autoencoder"] = (aeCurve.map { Double($0.0) }, aeCurve.map(\.1))
        snapshot.figures = [("autoencoders", "\(autoencoderErrors.count)/\(codeSizes.count) trained")]
        guard includeHeavy, dataset.testCount > 0 else { return }
        let shown = min(shownCount, dataset.testCount)
        let pixels = dataset.pixelCount
        let originals = Tensor(shape: [shown, pixels], copying: dataset.testImages[0..<(shown * pixels)])
        let originalScalars = originals.scalars
        func images(_ values: Tensor) -> [Snapshot.Image] {
            let valueScalars = values.scalars
            return (0..<shown).map { i in
                let original = originalScalars[(i * pixels)..<((i + 1) * pixels)]
                let image = Array(valueScalars[(i * pixels)..<((i + 1) * pixels)])
                let error =
                    zip(image, original).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(pixels)
                return Snapshot.Image(
                    width: dataset.imageWidth, height: dataset.imageHeight, values: image,
                    caption: String(format: "%.4f", error))
            }
        }
        snapshot.images["originals"] = (0..<shown).map { i in
            Snapshot.Image(
                width: dataset.imageWidth, height: dataset.imageHeight,
                values: Array(dataset.testImages[(i * pixels)..<((i + 1) * pixels)]),
                caption: dataset.classNames[dataset.testLabels[i]])
        }
        // Every k's reconstructions (8 images each): a few hundred kilobytes at most, made once a heavy snapshot.
        for k in codeSizes {
            if let pca {
                snapshot.images[Self.imageGroup("pca", codeSize: k)] = images(
                    noGrad { pca.decode(pca.encode(originals, components: k)) })
            }
            if let model = autoencoders[k] {
                snapshot.images[Self.imageGroup("ae", codeSize: k)] = images(noGrad { model(originals) })
            }
        }
    }
}
