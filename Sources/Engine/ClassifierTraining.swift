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
    /// What each step minimises: cross-entropy on the clean batch unless set (adversarial training sets
    /// it: `AdversarialTrainingSettings.objective`). An error it throws stops the step before any
    /// update: the batch is never trained on unchanged.
    public var objective: any ClassifierObjective = CrossEntropyObjective()
    /// A per-batch input transform applied before each cross-entropy step, e.g. crafting PGD examples
    /// (Madry et al. 2018): sets `objective` to an `AdversarialInputObjective`. Receives the batch
    /// `[batch, pixels]`, its labels and the optimizer's step count (for deterministic randomness on resume).
    public var inputTransform: ((_ images: Tensor, _ labels: [Int], _ step: Int) throws -> Tensor)? {
        get {
            guard let objective = objective as? AdversarialInputObjective else { return nil }
            return { [model] images, labels, step in try objective.craft(model, images, labels, step) }
        }
        set {
            guard let newValue else {
                objective = CrossEntropyObjective()
                return
            }
            objective = AdversarialInputObjective { _, images, labels, step in try newValue(images, labels, step) }
        }
    }
    /// A learning rate set before every update from the step count (fast adversarial training's cyclic
    /// rate); nil keeps the optimizer's.
    public var learningRateSchedule: CyclicLearningRate?
    /// Measured at each epoch's end into the metrics `train_fgsm_accuracy` and `train_pgd_accuracy`.
    public var robustnessProbe: RobustnessProbe?
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
        kind: Classifier.Kind, architecture: Classifier.Architecture = .standard, dataset: Dataset, batchSize: Int,
        learningRate: Float, epochs: Int, seed: UInt64,
        completedEpochs: Int = 0
    ) {
        var generator = RandomGenerator(seed: seed)
        let model = Classifier(
            kind: kind, architecture: architecture, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
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
        let (input, labels) = dataset.trainBatchTensor(indices)
        let loss = try objective.loss(model: model, images: input, labels: labels, step: optimizer.stepCount)
        optimizer.zeroGradients()
        let lossValue = loss.item
        guard lossValue.isFinite else {
            throw TrainingStop.fault(
                "training loss became \(TrainingStop.value(Double(lossValue)))", completedEpochs: completedEpochs,
                step: stepsTaken + 1)
        }
        loss.backward()
        let parameters = model.namedParameters
        if let bad = parameters.first(where: { $0.tensor.grad?.hasNonFinite == true }) {
            throw TrainingStop.fault(
                "gradient of '\(bad.name)' became non-finite", completedEpochs: completedEpochs, step: stepsTaken + 1)
        }
        if let learningRateSchedule { optimizer.learningRate = learningRateSchedule.rate(step: optimizer.stepCount) }
        optimizer.step()
        if let bad = [optimizer as any Optimizer].nonFiniteParameter(among: parameters) {
            throw TrainingStop.fault(
                "parameter '\(bad)' became non-finite in the update (learning rate too high?)",
                completedEpochs: completedEpochs, step: stepsTaken + 1)
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
                    "test_loss became \(TrainingStop.value(evaluation.loss)) in the evaluation after epoch \(completedEpochs + 1), step \(stepsTaken); \(TrainingStop.kept(completedEpochs: completedEpochs))"
                )
            }
            var metrics = [
                ("train_loss", epochLossSum / Double(dataset.trainCount)), ("test_loss", evaluation.loss),
                ("test_accuracy", evaluation.accuracy),
            ]
            if let robustnessProbe {
                let measured = try robustnessProbe.measure(model)
                metrics += [("train_fgsm_accuracy", measured.fgsm), ("train_pgd_accuracy", measured.pgd)]
            }
            completedEpochs += 1
            batchIndex = 0
            report.epochSummary = EpochSummary(
                epoch: completedEpochs, step: optimizer.stepCount, seconds: seconds, metrics: metrics)
        }
        return report
    }
}

/// A failure inside an experiment (numerical fault, bad state): one line, the run stops.
public struct RuntimeFault: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}
