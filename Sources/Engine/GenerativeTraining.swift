import Datasets
import Foundation
import Models
import NeuralNet
import TensorCore

/// Training a generative model one mini-batch per step with Adam; the test set is evaluated at the end
/// of each epoch.
///
/// The training owns the optimizers, one `Adam` per parameter group the model declares, under the
/// group's name, and lends them to the model's `trainStep` (as `ClassifierTraining` owns a
/// classifier's); a checkpoint saves them with the model.
///
/// Batches come from `BatchSampler` and every random draw of an epoch (noise, prior samples, time
/// steps) from a generator seeded by (seed, epoch), so a run resumed at an epoch boundary continues
/// exactly as an uninterrupted one would.
public final class GenerativeTraining: Experiment {
    public let model: any GenerativeModel
    /// One Adam per group of `model.parameterGroups`, named after it.
    public let optimizers: NamedOptimizers
    public let dataset: Dataset
    public let batchSize: Int
    public let totalEpochs: Int
    public let seed: UInt64
    public private(set) var completedEpochs: Int
    public private(set) var stepsTaken = 0
    /// The last step's metrics (for live display).
    public private(set) var lastMetrics: [(name: String, value: Double)] = []
    private let sampler: BatchSampler
    private var epochBatches: [[Int]] = []
    private var batchIndex = 0
    private var sums: [String: Double] = [:]
    private var names: [String] = []
    private var seen = 0
    private var epochStart = Date()
    private var generator: RandomGenerator
    /// Consecutive heavy views whose diffusion samples took over 150 ms; at 3 they are skipped for good.
    var slowDiffusionViews = 0

    public init(
        model: any GenerativeModel, dataset: Dataset, batchSize: Int, learningRate: Float, epochs: Int, seed: UInt64,
        completedEpochs: Int = 0
    ) {
        self.model = model
        optimizers = GenerativeTraining.makeOptimizers(for: model, learningRate: learningRate)
        self.dataset = dataset
        self.batchSize = batchSize
        self.totalEpochs = epochs
        self.seed = seed
        self.completedEpochs = completedEpochs
        sampler = BatchSampler(
            count: dataset.trainCount, batchSize: batchSize, seed: seed, shuffle: true, dropLast: false)
        generator = RandomGenerator(seed: seed)
        // A resumed run counts its steps from where it stopped (metrics.csv's step column).
        stepsTaken = completedEpochs * ((dataset.trainCount + batchSize - 1) / batchSize)
    }

    /// The optimizers a generative model trains with: one `Adam` (PyTorch's defaults besides the
    /// learning rate) per group of `model.parameterGroups`, named after the group.
    public static func makeOptimizers(for model: any GenerativeModel, learningRate: Float) -> NamedOptimizers {
        NamedOptimizers(model.parameterGroups) { Adam(parameters: $0.parameters, learningRate: learningRate) }
    }

    /// The generator for epoch `epoch`'s random draws.
    public static func epochGenerator(seed: UInt64, epoch: Int) -> RandomGenerator {
        RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &* 0xBF58_476D_1CE4_E5B9 &+ 0x6765_6E)
    }

    /// Which networks of an adversarial pair (aae, wae) a step updates; ignored by other models.
    public typealias UpdateFocus = Models.UpdateFocus

    /// The learning rate of every optimizer (reads the first one's); settable between steps.
    public var learningRate: Float {
        get { optimizers.entries.first?.optimizer.learningRate ?? 0 }
        set {
            for (_, optimizer) in optimizers.entries { optimizer.learningRate = newValue }
        }
    }

    /// `.all` (default), `.autoencoderOnly` or `.adversaryOnly` for aae and wae; always `.all` for
    /// models without an adversary (setting it then does nothing).
    public var updateFocus: UpdateFocus {
        get { (model as? any AdversarialGenerativeModel)?.updateFocus ?? .all }
        set {
            (model as? any AdversarialGenerativeModel)?.updateFocus = newValue
        }
    }

    /// The model as a class-conditional one, when it is (it then trains and is tested with the labels).
    var conditional: (any ClassConditionalModel)? { Self.conditional(model) }

    static func conditional(_ model: any GenerativeModel) -> (any ClassConditionalModel)? {
        (model as? any ClassConditionalModel).flatMap { $0.classCount > 0 ? $0 : nil }
    }

    /// `model`'s test metrics on `dataset`'s test images, with their labels for a class-conditional model.
    public static func testMetrics(
        of model: any GenerativeModel, on dataset: Dataset, generator: inout RandomGenerator
    ) -> [(name: String, value: Double)] {
        if let conditional = conditional(model) {
            return conditional.evaluate(images: dataset.testImages, labels: dataset.testLabels, generator: &generator)
        }
        return model.evaluate(images: dataset.testImages, generator: &generator)
    }

    /// True for models with an adversary on the latent (aae, wae with a critic).
    public var hasAdversary: Bool {
        if model is AdversarialAutoencoder { return true }
        return (model as? WassersteinAutoencoder)?.critic != nil
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
            sums = [:]
            seen = 0
            epochStart = Date()
            generator = GenerativeTraining.epochGenerator(seed: seed, epoch: completedEpochs)
        }
        let indices = epochBatches[batchIndex]
        let (batch, labels) = dataset.trainBatchTensor(indices)
        let metrics: [(name: String, value: Double)]
        do {
            if let conditional {
                metrics = try conditional.trainStep(
                    batch, labels: labels, optimizers: optimizers, generator: &generator)
            } else {
                metrics = try model.trainStep(batch, optimizers: optimizers, generator: &generator)
            }
        } catch let fault as ModelFault {
            throw TrainingStop.fault(fault.description, completedEpochs: completedEpochs, step: stepsTaken + 1)
        }
        if let bad = metrics.first(where: { !$0.value.isFinite }) {
            throw TrainingStop.fault(
                "\(bad.name) became \(TrainingStop.value(bad.value))", completedEpochs: completedEpochs,
                step: stepsTaken + 1)
        }
        // A finite loss can still come with an overflowing gradient (a learning rate far too high):
        // the update then leaves Inf/NaN in the weights, which must never reach a checkpoint.
        if let bad = optimizers.entries.map(\.optimizer).nonFiniteParameter(among: model.namedParameters) {
            throw TrainingStop.fault(
                "parameter '\(bad)' became non-finite in the update (learning rate too high?)",
                completedEpochs: completedEpochs, step: stepsTaken + 1)
        }
        lastMetrics = metrics
        names = metrics.map(\.name)
        for (name, value) in metrics { sums[name, default: 0] += value * Double(indices.count) }
        seen += indices.count
        stepsTaken += 1
        batchIndex += 1
        var report = StepReport(
            metrics: Dictionary(metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
        if batchIndex == epochBatches.count {
            let seconds = Date().timeIntervalSince(epochStart)
            var evaluationGenerator = RandomGenerator(seed: seed ^ 0x7465_7374)
            let test = GenerativeTraining.testMetrics(of: model, on: dataset, generator: &evaluationGenerator)
            // Finite weights can still overflow on the test set (e.g. exp of a huge log-variance):
            // such an epoch must not be saved over the last good checkpoint.
            if let bad = test.first(where: { !$0.value.isFinite }) {
                throw RuntimeFault(
                    "test_\(bad.name) became \(TrainingStop.value(bad.value)) in the evaluation after epoch \(completedEpochs + 1), step \(stepsTaken); \(TrainingStop.kept(completedEpochs: completedEpochs))"
                )
            }
            completedEpochs += 1
            batchIndex = 0
            let train = names.map { (name: "train_\($0)", value: sums[$0, default: 0] / Double(max(seen, 1))) }
            report.epochSummary = EpochSummary(
                epoch: completedEpochs, step: stepsTaken, seconds: seconds,
                metrics: train + test.map { (name: "test_\($0.name)", value: $0.value) })
        }
        return report
    }
}
