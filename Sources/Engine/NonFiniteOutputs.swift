import Datasets
import Models
import TensorCore

/// The refusal of a classifier whose outputs on the images it is to be measured on hold a NaN or an
/// infinity. Its weights are finite (the checkpoint reader refuses any other) but so large that a layer
/// overflows single precision, as in a checkpoint edited or damaged to hold 1e30s: accuracy would be argmax
/// over NaN, the loss NaN, and an attack's gradients NaN (written as images, they crashed `attack --out`).
/// `eval`, `attack`, `defend purify` and `sample --classifier` say so in one line naming the checkpoint
/// (exit 1, as for any damaged run file) rather than print figures of nothing.
public enum NonFiniteOutputs {
    /// The rows of `logits` (`[N, classes]`) that hold a NaN or an infinity.
    public static func rows(of logits: Tensor) -> Int {
        let values = logits.scalars
        let width = max(logits.shape.last ?? 1, 1)
        return stride(from: 0, to: values.count, by: width).count { start in
            values[start..<min(start + width, values.count)].contains { !$0.isFinite }
        }
    }

    /// Fails when `evaluation` (of `run`'s classifier) met outputs that are not finite.
    public static func check(_ evaluation: ClassifierEvaluation, run: RunDirectory) throws(RunError) {
        guard evaluation.nonFiniteCount > 0 else { return }
        throw RunError(
            "\(run.file("model.safetensors")): the classifier's outputs are not finite (NaN or infinity) on "
                + "\(evaluation.nonFiniteCount) of the \(evaluation.count) test images: its weights overflow "
                + "single precision, so it cannot be measured")
    }

    /// Fails when `model`'s outputs on the first `count` test images of `dataset` are not finite: the check
    /// before an attack or a defence measures `run`'s classifier on them (one forward pass over them). It
    /// leaves `model` in evaluation mode, as the measurement that follows takes it.
    public static func check(_ model: Classifier, dataset: Dataset, count: Int, run: RunDirectory) throws(RunError) {
        let count = min(count, dataset.testCount)
        let pixels = dataset.pixelCount
        let evaluation = ClassifierEvaluation.evaluate(
            model, images: Array(dataset.testImages[0..<(count * pixels)]),
            labels: Array(dataset.testLabels[0..<count]),
            pixelsPerImage: pixels)
        model.setTraining(false)
        try check(evaluation, run: run)
    }

    /// Fails when `purified` (`[N, pixels]`, what a purifier returned for N images) holds a NaN or an
    /// infinity: a chain that diverged (a DDPM's DDIM steps on weights that overflow). `purifier` names it.
    public static func check(purified: Tensor, purifier: String) throws(RunError) {
        let rows = rows(of: purified)
        guard rows > 0 else { return }
        throw RunError(
            "\(purifier): purification diverged: \(rows) of the \(purified.shape.first ?? 0) purified images "
                + (rows == 1 ? "holds a " : "hold a ")
                + "NaN or an infinity, so the defended classifier cannot be measured")
    }
}
