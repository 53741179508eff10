import Base
import Datasets
import Foundation
import Models
import TensorCore

/// `manifold compare ae pca`'s work: the deep autoencoder against PCA at the same code size k on the same
/// test images (MATH.md section 2; Hinton & Salakhutdinov 2006). Each side is a saved run or is trained
/// (fitted) in memory; saved runs must be of the right kind and share one k.
public struct AutoencoderPCAComparison {
    /// The saved runs to reuse, checked and loaded.
    public struct SavedRuns {
        public var autoencoder: (run: RunDirectory, model: Autoencoder, epochs: Int)?
        public var pca: (run: RunDirectory, model: PCA)?
        /// The runs' shared code size, when there is a saved run.
        public var latent: Int?
        /// The data of the first saved run that names one.
        public var dataSpec: String?
        /// The seed that drew the saved runs' data, when it is drawn from a seed (the synthetic digits): the
        /// comparison must measure them on those digits, not on the ones another seed draws.
        public var dataSeed: UInt64?
        /// The saved run trained on the fewest test images (`--test-limit`) and its config: both models
        /// are measured on that subset, as `eval` and `attack` measure a run on its own.
        public var testLimitRun: (run: RunDirectory, config: [String: JSONValue])?
        /// Each saved run and the height and width of the images it takes.
        public var imageSizes: [(run: RunDirectory, height: Int, width: Int)] = []

        public init() {}

        /// Loads `autoencoderRun` and `pcaRun` (either may be nil).
        /// - Throws: `RunKindMismatch` for a run of another kind; `ComparisonRequestError` for a k other than
        ///   `latent` (when given), or two runs with different k or different data (a PCA fitted on one
        ///   dataset says nothing of another's).
        public static func load(autoencoderRun: RunDirectory?, pcaRun: RunDirectory?, latent: Int?) throws -> SavedRuns
        {
            var saved = SavedRuns()
            var first: (run: RunDirectory, latent: Int)?
            for (run, expected) in [(autoencoderRun, GenerativeKind.ae), (pcaRun, .pca)] {
                guard let run else { continue }
                let loaded = try GenerativeFactory.load(run: run)
                guard loaded.kind == expected else {
                    let what = expected == .ae ? "an autoencoder" : "a PCA"
                    throw RunKindMismatch(
                        RunKindMismatch.message(
                            run: run.path, model: loaded.kind.rawValue, isNot: what, kinds: [expected.rawValue]))
                }
                let k = loaded.settings.latent
                if let latent, k != latent {
                    throw ComparisonRequestError(
                        "option '--latent' \(latent) does not match run '\(run.path)', whose code size is \(k) "
                            + "(drop '--latent' or give \(k))")
                }
                if let first, first.latent != k {
                    throw ComparisonRequestError(
                        "runs '\(first.run.path)' (k = \(first.latent)) and '\(run.path)' (k = \(k)) "
                            + "have different code sizes; compare needs the same k")
                }
                let data = loaded.config["data"]?.stringValue ?? "synthetic"
                if let first, let firstData = saved.dataSpec, firstData != data {
                    throw ComparisonRequestError(
                        "runs '\(first.run.path)' (data \(Sanitize.line(firstData))) and '\(run.path)' (data "
                            + "\(Sanitize.line(data))) were trained on different data; compare needs the same data")
                }
                if DatasetLoader.isSeeded(data) {
                    let seed = loaded.config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
                    if let first, let firstSeed = saved.dataSeed, firstSeed != seed {
                        throw ComparisonRequestError(
                            "runs '\(first.run.path)' (synthetic digits of seed \(firstSeed)) and '\(run.path)' "
                                + "(seed \(seed)) were trained on different digits; compare needs the same data")
                    }
                    saved.dataSeed = seed
                }
                first = first ?? (run, k)
                saved.latent = k
                if saved.dataSpec == nil { saved.dataSpec = data }
                if let count = loaded.config["test_count"]?.integerValue,
                    count < saved.testLimitRun?.config["test_count"]?.integerValue ?? .max
                {
                    saved.testLimitRun = (run, loaded.config)
                }
                let pixels = loaded.config["pixels"]?.integerValue ?? 784
                let size = RunImageSize.of(config: loaded.config, pixels: pixels)
                saved.imageSizes.append((run, size.height, size.width))
                if let model = loaded.model as? Autoencoder {
                    saved.autoencoder = (run, model, loaded.config["epochs_done"]?.integerValue ?? 0)
                } else if let model = loaded.model as? PCA {
                    saved.pca = (run, model)
                }
            }
            return saved
        }

        /// - Throws: `ImageSizeMismatch` when `dataset`'s images are not the size a saved run takes (a `--data`
        ///   folder of other images: the models' products with them stopped on a precondition).
        public func checkImageSize(of dataset: Dataset, dataSpec: String) throws {
            for saved in imageSizes {
                try ImageSizeMismatch.check(
                    dataSpec: Sanitize.line(dataSpec, limit: 80), dataSize: (dataset.imageHeight, dataset.imageWidth),
                    runName: Sanitize.line(saved.run.name), runSize: (saved.height, saved.width))
            }
        }
    }

    /// Both test errors (mean squared error per pixel) and what each side cost.
    public struct Result: Sendable {
        public let autoencoderError: Double
        public let pcaError: Double
        /// Seconds spent training (fitting) in memory; 0 for a saved run.
        public let autoencoderSeconds: Double
        public let pcaSeconds: Double
        /// The autoencoder's epochs: the saved run's `epochs_done`, or the epochs trained.
        public let autoencoderEpochs: Int
        public let explainedVariance: Double
    }

    public var dataset: Dataset
    public var latent: Int
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double
    public var seed: UInt64

    public init(dataset: Dataset, latent: Int, epochs: Int, batch: Int, learningRate: Double, seed: UInt64) {
        (self.dataset, self.latent, self.epochs, self.batch, self.learningRate, self.seed) = (
            dataset, latent, epochs, batch, learningRate, seed
        )
    }

    /// Fits PCA and trains the autoencoder where `saved` has no run, then measures both on the test
    /// images. `step(done, total, loss)` follows the autoencoder's steps; `epochEnd` its epochs.
    /// - Throws: `ComparisonRequestError` for a `latent` above the pixel count or the training images
    ///   when PCA is fitted here.
    public func run(
        saved: SavedRuns, step: (Int, Int, Double) -> Void = { _, _, _ in },
        epochEnd: (EpochSummary) -> Void = { _ in }
    ) throws -> Result {
        var pcaSeconds = 0.0
        let pca: PCA
        if let saved = saved.pca {
            pca = saved.model
        } else {
            // As 'train pca': no more components than pixels or training images (more pixels than k trapped).
            let largest = min(dataset.pixelCount, dataset.trainCount)
            guard latent <= largest else {
                throw ComparisonRequestError(
                    "'--latent' \(latent) exceeds what \(counted(dataset.trainCount, "image")) of \(dataset.pixelCount) pixels allow for PCA (at most \(largest))"
                )
            }
            let start = Date()
            pca = PCA.fit(images: dataset.trainImages, features: dataset.pixelCount, components: latent)
            pcaSeconds = Date().timeIntervalSince(start)
        }
        var autoencoderSeconds = 0.0
        let autoencoder: Autoencoder
        var autoencoderEpochs = epochs
        if let saved = saved.autoencoder {
            (autoencoder, autoencoderEpochs) = (saved.model, saved.epochs)
        } else {
            var generator = RandomGenerator(seed: seed)
            autoencoder = Autoencoder(pixels: dataset.pixelCount, latent: latent, generator: &generator)
            let training = GenerativeTraining(
                model: autoencoder, dataset: dataset, batchSize: batch, learningRate: Float(learningRate),
                epochs: epochs, seed: seed)
            let start = Date()
            while !training.isFinished {
                let report = try training.step()
                step(training.progress.done, training.progress.total, report.metrics["loss"] ?? 0)
                if let summary = report.epochSummary { epochEnd(summary) }
            }
            autoencoderSeconds = Date().timeIntervalSince(start)
        }
        let autoencoderError = Autoencoder.reconstructionError(
            images: dataset.testImages, pixels: dataset.pixelCount
        ) { autoencoder($0) }
        return Result(
            autoencoderError: autoencoderError, pcaError: pca.reconstructionError(images: dataset.testImages),
            autoencoderSeconds: autoencoderSeconds, pcaSeconds: pcaSeconds, autoencoderEpochs: autoencoderEpochs,
            explainedVariance: pca.explainedVarianceRatio(images: dataset.testImages))
    }
}

/// Saved runs that cannot be compared as named (a k other than `--latent`, two runs of different k or data):
/// a usage error, as a run of the wrong kind is (the command line exits 2).
public struct ComparisonRequestError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
