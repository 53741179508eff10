import Models
import TensorCore
import Testing

@testable import Engine

/// The test evaluation of classifiers, in batches: a CNN's default batch is smaller than an MLP's (its
/// activations at 1,000 images made the end of `train cnn` peak above the training), and no batch size
/// changes the figures.
struct ClassifierEvaluationTests {
    @Test func theFiguresDoNotDependOnTheBatchSize() {
        var generator = RandomGenerator(seed: 2)
        let count = ClassifierEvaluation.convolutionalBatchSize + 13
        let images = (0..<(count * 784)).map { _ in generator.uniform() }
        let labels = (0..<count).map { _ in generator.index(below: 10) }
        for kind in [Classifier.Kind.cnn, .mlp] {
            let model = Classifier(kind: kind, generator: &generator)
            let standard = ClassifierEvaluation.evaluate(model, images: images, labels: labels, pixelsPerImage: 784)
            let one = ClassifierEvaluation.evaluate(
                model, images: images, labels: labels, pixelsPerImage: 784, batchSize: count)
            let small = ClassifierEvaluation.evaluate(
                model, images: images, labels: labels, pixelsPerImage: 784, batchSize: 7)
            for other in [one, small] {
                #expect(other.accuracy == standard.accuracy && other.confusion == standard.confusion, "\(kind)")
                #expect(abs(other.loss - standard.loss) <= 1e-5 * max(1, standard.loss), "\(kind)")
            }
            #expect(standard.count == count && standard.confusion.joined().reduce(0, +) == count)
        }
        #expect(ClassifierEvaluation.convolutionalBatchSize < 1000)
    }
}
