import Attacks
import Datasets
import Foundation
import Models
import TensorCore

/// The Attack lab's poisoning view of a backdoor (BadNets) run: the trigger, a few poisoned training
/// examples, and the model's accuracy on clean against triggered test images, measured on the run's own test
/// set as `poison backdoor` measured them and `eval` measures them.
public struct BackdoorView {
    public let classifier: Classifier
    /// The run's test set (`RunTestSet`: the first N test images of a run measured on N) and, when its files
    /// could be read, its training split, whose images the poisoned examples are; without one they are test
    /// images, and the view says so.
    public let dataset: Dataset
    public let backdoor: BackdoorPoisoning

    public init(classifier: Classifier, dataset: Dataset, trigger: ImageTransforms.Trigger, targetClass: Int) {
        self.classifier = classifier
        self.dataset = dataset
        backdoor = BackdoorPoisoning(trigger: trigger, targetClass: targetClass)
    }

    private func name(_ index: Int) -> String {
        index >= 0 && index < dataset.classNames.count ? dataset.classNames[index] : String(index)
    }

    /// The accuracy on all of the dataset's test images, clean (what `eval` and `poison backdoor` report) and
    /// with the trigger (against their true labels), and the attack success rate as `poison backdoor` computes
    /// it (`BackdoorPoisoning.attackSuccessRate`: triggered non-target images sent to the target). Batched, as
    /// `eval` batches them: a CNN given 10,000 images in one batch needs gigabytes.
    public func accuracies() -> (clean: Double, triggered: Double, attackSuccess: Double) {
        guard dataset.testCount > 0 else { return (0, 0, 0) }
        let pixels = dataset.pixelCount
        let clean = ClassifierEvaluation.evaluate(
            classifier, images: dataset.testImages, labels: dataset.testLabels, pixelsPerImage: pixels)
        let triggered = ClassifierEvaluation.evaluate(
            classifier,
            images: ImageTransforms.stampTrigger(
                dataset.testImages, trigger: backdoor.trigger, imageHeight: dataset.imageHeight,
                imageWidth: dataset.imageWidth),
            labels: dataset.testLabels, pixelsPerImage: pixels)
        classifier.setTraining(false)
        let success = backdoor.attackSuccessRate(classifier, on: dataset)
        return (clean.accuracy, triggered.accuracy, success)
    }

    /// Fills `images["trigger"]` (the patch on a black image), `images["poisoned examples"]` (4 training
    /// images, or test images when no training split was read, with the trigger, captioned with the label they
    /// were given) and the figures, with `accuracies` (computed when nil).
    public func describe(
        into snapshot: inout Snapshot, accuracies: (clean: Double, triggered: Double, attackSuccess: Double)? = nil
    ) {
        let (height, width, pixels) = (dataset.imageHeight, dataset.imageWidth, dataset.pixelCount)
        let blank = [Float](repeating: 0, count: pixels)
        snapshot.images["trigger"] = [
            Snapshot.Image(
                width: width, height: height,
                values: ImageTransforms.stampTrigger(
                    blank, trigger: backdoor.trigger, imageHeight: height, imageWidth: width),
                caption: "trigger → \(name(backdoor.targetClass))")
        ]
        let fromTraining = dataset.trainCount > 0
        let labels = fromTraining ? dataset.trainLabels : dataset.testLabels
        let shown = Array(labels.indices.filter { labels[$0] != backdoor.targetClass }.prefix(4))
        let examples = ImageTransforms.stampTrigger(
            fromTraining ? dataset.trainBatch(shown).images : dataset.testBatch(shown).images,
            trigger: backdoor.trigger, imageHeight: height, imageWidth: width)
        snapshot.images["poisoned examples"] = shown.indices.map { i in
            Snapshot.Image(
                width: width, height: height, values: Array(examples[(i * pixels)..<((i + 1) * pixels)]),
                caption: "\(name(labels[shown[i]])) → \(name(backdoor.targetClass))")
        }
        let (clean, triggered, success) = accuracies ?? self.accuracies()
        snapshot.figures = [
            ("target class", name(backdoor.targetClass)), ("clean accuracy", String(format: "%.4f", clean)),
            ("triggered accuracy", String(format: "%.4f", triggered)),
            ("attack success rate", String(format: "%.4f", success)),
            ("test images", String(dataset.testCount)),
        ]
        if !fromTraining { snapshot.figures.append(("examples", "test images (no training files read)")) }
    }
}
