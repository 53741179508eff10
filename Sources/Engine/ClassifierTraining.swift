import Datasets
import Foundation
import Models
import NeuralNet
import TensorCore

/// Training a classifier with Adam on softmax cross-entropy, one mini-batch per step; the test set is
/// evaluated at the end of each epoch.
///
/// Batches come from `BatchSampler`, whose order depends only on (seed, epoch), so a run resumed at an
/// epoch boundary continues exactly as an uninterrupted one would.
public final class ClassifierTraining: Experiment {
    public let model: Classifier
    public let optimizer: Adam
    public let dataset: Dataset
    public let batchSize: Int
    public let totalEpochs: Int
    /// Epochs completed (including those before a resume).
    public private(set) var completedEpochs: Int
    public private(set) var stepsTaken = 0
    /// An optional per-batch input transform applied before each training step, e.g. crafting PGD
    /// examples for adversarial training (Madry et al. 2018). Receives the batch `[batch, pixels]`, its
    /// labels and the optimizer's step count (for deterministic randomness on resume).
    /// An error it throws stops the step before any update: the batch is never trained on unchanged.
    public var inputTransform: ((_ images: Tensor, _ labels: [Int], _ step: Int) throws -> Tensor)?
    private let sampler: BatchSampler
    private var epochBatches: [[Int]] = []
    private var batchIndex = 0
    private var epochLossSum = 0.0
    private var epochStart = Date()
    private let pixels: Int

    public init(
        model: Classifier, dataset: Dataset, batchSize: Int, learningRate: Float, epochs: Int, seed: UInt64,
        completedEpochs: Int = 0
    ) {
        self.model = model
        self.dataset = dataset
        self.batchSize = batchSize
        self.totalEpochs = epochs
        self.completedEpochs = completedEpochs
        pixels = dataset.imageHeight * dataset.imageWidth
        optimizer = Adam(parameters: model.namedParameters, learningRate: learningRate)
        sampler = BatchSampler(
            count: dataset.trainCount, batchSize: batchSize, seed: seed, shuffle: true, dropLast: false)
    }

    /// A fresh classifier of `kind` for `dataset`'s image size and classes, initialised from `seed`,
    /// and its training: what `train`, `poison`, the workbench and `bench seeds` all start from, so
    /// the same seed gives the same model everywhere.
    public convenience init(
        kind: Classifier.Kind, dataset: Dataset, batchSize: Int, learningRate: Float, epochs: Int, seed: UInt64,
        completedEpochs: Int = 0
    ) {
        var generator = RandomGenerator(seed: seed)
        let model = Classifier(
            kind: kind, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
            classCount: dataset.classCount, generator: &generator)
        self.init(
            model: model, dataset: dataset, batchSize: batchSize, learningRate: learningRate, epochs: epochs,
            seed: seed, completedEpochs: completedEpochs)
    }

    public var isFinished: Bool { completedEpochs >= totalEpochs }

    public var batchesPerEpoch: Int { (dataset.trainCount + batchSize - 1) / batchSize }

    public var progress: (done: Int, total: Int) {
        (completedEpochs * batchesPerEpoch + batchIndex, totalEpochs * batchesPerEpoch)
    }

    public func step() throws -> StepReport {
        precondition(!isFinished, "step() after the last epoch")
        if batchIndex == 0 {
            epochBatches = sampler.batches(epoch: completedEpochs)
            epochLossSum = 0
            epochStart = Date()
        }
        let indices = epochBatches[batchIndex]
        let batch = dataset.trainBatch(indices)
        var input = Tensor(shape: [indices.count, pixels], scalars: batch.images)
        if let inputTransform { input = try inputTransform(input, batch.labels, optimizer.stepCount) }
        optimizer.zeroGradients()
        let loss = Loss.crossEntropy(logits: model(input), labels: batch.labels)
        let lossValue = loss.item
        guard lossValue.isFinite else {
            throw RuntimeFault(
                "training loss became \(lossValue) at epoch \(completedEpochs + 1), step \(stepsTaken + 1); stopped, the last saved checkpoint is kept"
            )
        }
        loss.backward()
        let parameters = model.namedParameters
        if let bad = parameters.first(where: { $0.tensor.grad?.hasNonFinite == true }) {
            throw RuntimeFault(
                "gradient of '\(bad.name)' became non-finite at epoch \(completedEpochs + 1), step \(stepsTaken + 1); stopped, the last saved checkpoint is kept"
            )
        }
        optimizer.step()
        if let bad = parameters.first(where: { $0.tensor.hasNonFinite }) {
            throw RuntimeFault(
                "parameter '\(bad.name)' became non-finite in the update at epoch \(completedEpochs + 1), step \(stepsTaken + 1) (learning rate too high?); stopped, the last saved checkpoint is kept"
            )
        }
        stepsTaken += 1
        batchIndex += 1
        epochLossSum += Double(lossValue) * Double(indices.count)
        var report = StepReport(metrics: ["loss": Double(lossValue)])
        if batchIndex == epochBatches.count {
            let seconds = Date().timeIntervalSince(epochStart)
            let evaluation = ClassifierEvaluation.evaluate(
                model, images: dataset.testImages, labels: dataset.testLabels, pixelsPerImage: pixels)
            if !evaluation.loss.isFinite {
                throw RuntimeFault(
                    "test_loss became \(evaluation.loss) in the evaluation after epoch \(completedEpochs + 1), step \(stepsTaken); stopped, the last saved checkpoint is kept"
                )
            }
            completedEpochs += 1
            batchIndex = 0
            report.epochSummary = EpochSummary(
                epoch: completedEpochs, step: optimizer.stepCount, seconds: seconds,
                metrics: [
                    ("train_loss", epochLossSum / Double(dataset.trainCount)), ("test_loss", evaluation.loss),
                    ("test_accuracy", evaluation.accuracy),
                ])
        }
        return report
    }
}

/// A failure inside an experiment (numerical fault, bad state): one line, the run stops.
public struct RuntimeFault: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
