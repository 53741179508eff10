import Datasets
import Models
import NeuralNet
import TensorCore

/// Test accuracy and mean cross-entropy of a classifier, evaluated in batches without gradients.
public struct ClassifierEvaluation: Sendable {
    public var accuracy: Double
    public var loss: Double
    public var count: Int
    /// confusion[true][predicted].
    public var confusion: [[Int]]
    /// The images whose outputs hold a NaN or an infinity (weights finite but too large for single
    /// precision): accuracy and loss then mean nothing, and `NonFiniteOutputs` refuses the classifier.
    public var nonFiniteCount = 0

    /// The images a CNN sees at once: 1,000 took 735 MB to evaluate a Fashion-MNIST CNN, above its training
    /// at batch 128 (388 MB), and the end of `train cnn` peaked there; 250 take 372 MB in the same time
    /// (2-core AMD EPYC, Zen 4). An MLP's activations are small: it keeps batches of 1,000.
    public static let convolutionalBatchSize = 250

    /// - Parameter batchSize: nil: 1,000 images a batch, `convolutionalBatchSize` for a CNN.
    public static func evaluate(
        _ model: Classifier, images: [Float], labels: [Int], pixelsPerImage: Int, batchSize: Int? = nil
    ) -> ClassifierEvaluation {
        let batchSize = batchSize ?? (model.kind == .cnn ? convolutionalBatchSize : 1000)
        model.setTraining(false)
        defer { model.setTraining(true) }
        let count = labels.count
        var correct = 0
        var nonFinite = 0
        var totalLoss = 0.0
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: model.classCount), count: model.classCount)
        noGrad {
            var start = 0
            while start < count {
                let end = min(start + batchSize, count)
                let batch = Tensor(
                    shape: [end - start, pixelsPerImage],
                    copying: images[(start * pixelsPerImage)..<(end * pixelsPerImage)])
                let batchLabels = Array(labels[start..<end])
                let logits = model(batch)
                if logits.hasNonFinite { nonFinite += NonFiniteOutputs.rows(of: logits) }
                totalLoss += Double(Loss.crossEntropy(logits: logits, labels: batchLabels).item) * Double(end - start)
                for (predicted, label) in zip(logits.argmax(), batchLabels) {
                    if predicted == label { correct += 1 }
                    if label < model.classCount { confusion[label][predicted] += 1 }
                }
                start = end
            }
        }
        return ClassifierEvaluation(
            accuracy: count == 0 ? 0 : Double(correct) / Double(count),
            loss: count == 0 ? 0 : totalLoss / Double(count),
            count: count, confusion: confusion, nonFiniteCount: nonFinite)
    }
}
