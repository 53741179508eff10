import Attacks
import Datasets
import Foundation
import Models
import TensorCore

/// The Attack lab's poisoning view of a backdoor (BadNets) run: the trigger, a few poisoned training
/// examples, and the model's accuracy on clean against triggered test images.
public struct BackdoorView {
    public let classifier: Classifier
    public let dataset: Dataset
    public let backdoor: BackdoorPoisoning
    /// Test images evaluated at most (the first ones of the test set).
    public var testLimit: Int

    public init(
        classifier: Classifier, dataset: Dataset, trigger: ImageTransforms.Trigger, targetClass: Int,
        testLimit: Int = 2000
    ) {
        self.classifier = classifier
        self.dataset = dataset
        backdoor = BackdoorPoisoning(trigger: trigger, targetClass: targetClass)
        self.testLimit = testLimit
    }

    private func name(_ index: Int) -> String {
        index >= 0 && index < dataset.classNames.count ? dataset.classNames[index] : String(index)
    }

    /// The accuracy on the first `testLimit` clean test images, on the same images with the trigger (against
    /// their true labels), and the attack success rate (triggered non-target images sent to the target).
    public func accuracies() -> (clean: Double, triggered: Double, attackSuccess: Double) {
        let count = min(testLimit, dataset.testCount)
        guard count > 0 else { return (0, 0, 0) }
        let pixels = dataset.pixelCount
        let clean = Array(dataset.testImages[0..<(count * pixels)])
        let labels = Array(dataset.testLabels[0..<count])
        let triggered = ImageTransforms.stampTrigger(
            clean, trigger: backdoor.trigger, imageHeight: dataset.imageHeight, imageWidth: dataset.imageWidth)
        let (before, after) = noGrad {
            (
                classifier(Tensor(shape: [count, pixels], scalars: clean)).argmax(),
                classifier(Tensor(shape: [count, pixels], scalars: triggered)).argmax()
            )
        }
        let others = labels.indices.filter { labels[$0] != backdoor.targetClass }
        return (
            Double(zip(before, labels).filter { $0 == $1 }.count) / Double(count),
            Double(zip(after, labels).filter { $0 == $1 }.count) / Double(count),
            others.isEmpty
                ? 0 : Double(others.filter { after[$0] == backdoor.targetClass }.count) / Double(others.count)
        )
    }

    /// Fills `images["trigger"]` (the patch on a black image), `images["poisoned examples"]` (4 training
    /// images with the trigger, captioned with the label they were given) and the figures.
    public func describe(into snapshot: inout Snapshot) {
        let (height, width, pixels) = (dataset.imageHeight, dataset.imageWidth, dataset.pixelCount)
        let blank = [Float](repeating: 0, count: pixels)
        snapshot.images["trigger"] = [
            Snapshot.Image(
                width: width, height: height,
                values: ImageTransforms.stampTrigger(
                    blank, trigger: backdoor.trigger, imageHeight: height, imageWidth: width),
                caption: "trigger → \(name(backdoor.targetClass))")
        ]
        let shown = Array(
            dataset.trainLabels.indices.filter { dataset.trainLabels[$0] != backdoor.targetClass }.prefix(4))
        let examples = ImageTransforms.stampTrigger(
            dataset.trainBatch(shown).images, trigger: backdoor.trigger, imageHeight: height, imageWidth: width)
        snapshot.images["poisoned examples"] = shown.indices.map { i in
            Snapshot.Image(
                width: width, height: height, values: Array(examples[(i * pixels)..<((i + 1) * pixels)]),
                caption: "\(name(dataset.trainLabels[shown[i]])) → \(name(backdoor.targetClass))")
        }
        let (clean, triggered, success) = accuracies()
        snapshot.figures = [
            ("target class", name(backdoor.targetClass)), ("clean accuracy", String(format: "%.4f", clean)),
            ("triggered accuracy", String(format: "%.4f", triggered)),
            ("attack success rate", String(format: "%.4f", success)),
        ]
    }
}
