import Datasets
import Models
import NeuralNet
import TensorCore

/// A small MLP (784-64-64-10) trained once on a few hundred synthetic digits, shared by the attack tests.
/// Each test gets its own copy of the trained weights, so tests running in parallel never share a model.
enum TinyModel {
    static let dataset = SyntheticDigits.make(trainCount: 800, testCount: 200, seed: 7)

    /// The trained weights (by parameter name), trained once (a few seconds in release).
    static let weights: [(name: String, values: [Float])] = {
        var generator = RandomGenerator(seed: 3)
        let model = Classifier(kind: .mlp, hiddenWidth: 64, generator: &generator)
        train(model, on: dataset, epochs: 12, seed: 3)
        return model.namedParameters.map { ($0.name, $0.tensor.scalars) }
    }()

    /// A fresh classifier holding the shared trained weights.
    static func make() -> Classifier {
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(kind: .mlp, hiddenWidth: 64, generator: &generator)
        for ((_, tensor), (_, values)) in zip(model.namedParameters, weights) {
            tensor.assign(Tensor(shape: tensor.shape, scalars: values))
        }
        return model
    }

    /// Trains `model` with Adam on `dataset` (used by the poisoning tests as well).
    static func train(_ model: Classifier, on dataset: Dataset, epochs: Int, seed: UInt64) {
        let optimizer = Adam(parameters: model.namedParameters, learningRate: 3e-3)
        let sampler = BatchSampler(count: dataset.trainCount, batchSize: 32, seed: seed)
        for epoch in 0..<epochs {
            for indices in sampler.batches(epoch: epoch) {
                let batch = dataset.trainBatch(indices)
                optimizer.zeroGradients()
                let loss = Loss.crossEntropy(
                    logits: model(Tensor(shape: [indices.count, dataset.pixelCount], scalars: batch.images)),
                    labels: batch.labels)
                loss.backward()
                optimizer.step()
            }
        }
    }

    /// The first `count` test images `[count, 784]` and labels.
    static func testBatch(_ count: Int) -> (images: Tensor, labels: [Int]) {
        let images = Array(dataset.testImages[0..<(count * dataset.pixelCount)])
        return (Tensor(shape: [count, dataset.pixelCount], scalars: images), Array(dataset.testLabels[0..<count]))
    }

    static func accuracy(_ model: Classifier, images: Tensor, labels: [Int]) -> Double {
        let predicted = noGrad { model(images).argmax() }
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}

/// Checks every image of `adversarial` against `clean`: pixels in [0, 1] and the L-inf bound (up to
/// float32 rounding).
func linfViolations(_ adversarial: Tensor, _ clean: Tensor, epsilon: Float) -> (range: Int, bound: Int) {
    var range = 0
    var bound = 0
    for i in 0..<clean.count {
        let a = adversarial.data[i]
        if a < 0 || a > 1 || !a.isFinite { range += 1 }
        if abs(a - clean.data[i]) > epsilon + 1e-6 { bound += 1 }
    }
    return (range, bound)
}
