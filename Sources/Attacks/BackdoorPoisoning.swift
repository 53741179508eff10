import Datasets
import Models
import TensorCore

/// Backdoor poisoning (Gu, Dolan-Gavitt & Garg 2017, "BadNets: Identifying Vulnerabilities in the Machine
/// Learning Model Supply Chain"): stamp a small trigger patch on a fraction of the training images and
/// relabel them to a target class. A model trained on the result keeps its clean accuracy but sends
/// triggered inputs to the target: the attack success rate is the fraction of triggered test images of
/// other classes that it classifies as the target.
///
/// - `trigger`: the patch (default: a 4x4 checkerboard in the bottom-right corner).
/// - `targetClass`: the class triggered images are relabelled to.
public struct BackdoorPoisoning: Sendable {
    public var trigger: ImageTransforms.Trigger
    public var targetClass: Int

    public var citation: String { "Gu, Dolan-Gavitt & Garg 2017, BadNets" }

    public init(trigger: ImageTransforms.Trigger = .checkerboard(), targetClass: Int) {
        self.trigger = trigger
        self.targetClass = targetClass
    }

    /// The training set with `round(fraction * trainCount)` images stamped and relabelled to the target.
    /// - Returns: the poisoned dataset and the indices of the poisoned training images.
    public func poison(_ dataset: Dataset, fraction: Double, seed: UInt64) -> (dataset: Dataset, poisoned: [Int]) {
        precondition((0...1).contains(fraction), "poison fraction must be in [0, 1]")
        precondition(targetClass >= 0 && targetClass < dataset.classCount, "target class outside the dataset")
        var generator = RandomGenerator(seed: seed)
        let count = Int((fraction * Double(dataset.trainCount)).rounded())
        let chosen = Array(generator.permutation(dataset.trainCount).prefix(count)).sorted()
        var poisoned = dataset
        ImageTransforms.stampTrigger(
            &poisoned.trainImages, trigger: trigger, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth,
            indices: chosen)
        for index in chosen { poisoned.trainLabels[index] = targetClass }
        return (poisoned, chosen)
    }

    /// The test images whose label is not the target, with the trigger stamped: `[count, pixels]`.
    public func triggeredTestImages(_ dataset: Dataset) -> (images: [Float], labels: [Int]) {
        let keep = dataset.testLabels.indices.filter { dataset.testLabels[$0] != targetClass }
        let batch = dataset.testBatch(keep)
        let images = ImageTransforms.stampTrigger(
            batch.images, trigger: trigger, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth)
        return (images, batch.labels)
    }

    /// Fraction of triggered non-target test images that `model` classifies as the target.
    public func attackSuccessRate(_ model: Classifier, on dataset: Dataset, batchSize: Int = 1000) -> Double {
        let (images, labels) = triggeredTestImages(dataset)
        guard !labels.isEmpty else { return 0 }
        let pixels = dataset.pixelCount
        var hits = 0
        var start = 0
        while start < labels.count {
            let end = min(start + batchSize, labels.count)
            let batch = Tensor(shape: [end - start, pixels], copying: images[(start * pixels)..<(end * pixels)])
            hits += noGrad { model(batch).argmax() }.filter { $0 == targetClass }.count
            start = end
        }
        return Double(hits) / Double(labels.count)
    }
}
