import Datasets
import Models
import NeuralNet
import TensorCore
import Testing

@testable import Attacks

/// Feature adversaries (Sabour et al. 2016) and the layer access they rely on.
@Suite struct FeatureAdversariesTests {
    /// A guide whose class differs from every image of `labels`, and the images of other classes.
    static func sourcesAndGuide(count: Int) -> (images: Tensor, labels: [Int], guide: [Float], guideLabel: Int) {
        let dataset = TinyModel.dataset
        let guideIndex = 0
        let guideLabel = dataset.testLabels[guideIndex]
        let indices = Array(dataset.testLabels.indices.filter { dataset.testLabels[$0] != guideLabel }.prefix(count))
        let images = indices.flatMap { dataset.testImage($0) }
        return (
            Tensor(shape: [indices.count, dataset.pixelCount], scalars: images), indices.map { dataset.testLabels[$0] },
            Array(dataset.testImage(guideIndex)), guideLabel
        )
    }

    @Test func layersAreNamedAsPyTorchNamesTheModules() throws {
        let mlp = TinyModel.make()
        #expect(mlp.layerNames == ["0", "1", "2", "3", "4"])
        #expect(mlp.layerDescriptions[1] == "1 (ReLU)" && mlp.featureLayerNames.last == "3")
        var generator = RandomGenerator(seed: 1)
        let cnn = Classifier(kind: .cnn, generator: &generator)
        #expect(cnn.layerNames.count == 10 && cnn.layerDescriptions[0] == "0 (Conv2d)")
        #expect(
            cnn.layerIndex(named: "0") == 1 && cnn.layerIndex(named: "10") == nil && cnn.layerIndex(named: "01") == nil)
        // A layer's activations are the network's prefix; the last layer's are the logits.
        let (images, _) = TinyModel.testBatch(3)
        let hidden = noGrad { mlp.activations(images, at: "1") }
        let manual = noGrad { mlp.network.layers[1](mlp.network.layers[0](images)) }
        #expect(hidden.shape == [3, 64] && hidden.scalars == manual.scalars)
        let logits = noGrad { cnn.activations(Tensor(zeros: [2, 784]), at: ["9", "3"]) }
        #expect(logits[0].scalars == noGrad { cnn(Tensor(zeros: [2, 784])) }.scalars)
        #expect(logits[1].shape == [2, 64, 14, 14])
    }

    /// With a ball that holds the guide itself (delta 1), the guide is reachable: the attack must bring the
    /// features to it, and the prediction with them.
    @Test func reachesAGuideInsideTheBall() throws {
        let model = TinyModel.make()
        let (images, labels, guide, guideLabel) = Self.sourcesAndGuide(count: 10)
        let attack = FeatureAdversaries(layer: "3", guide: guide, guideLabel: guideLabel, steps: 200, stepSize: 0.01)
        let result = try attack.attack(model, images: images, labels: labels, threat: ThreatModel(epsilon: 1))
        let relative = try #require(result.metrics["relative_feature_distance"])
        #expect(relative < 0.1, "relative distance \(relative)")
        let guideClass = noGrad { model(Tensor(shape: [1, 784], scalars: guide)).argmax()[0] }
        #expect(result.outcomes.allSatisfy { $0.adversarialPrediction == guideClass })
    }

    /// Bug: with `randomStart`, one generator per batch drew every image's start in turn, so an image's
    /// result depended on the batch it was attacked in and its place there. Now each start comes from the
    /// seed and the image's own pixels (as PGD's): two batches attacked apart give the whole set's rows bit
    /// for bit, and another seed moves them.
    @Test func aRandomStartIsTheSameInEveryBatch() throws {
        let model = TinyModel.make()
        let (images, labels, guide, guideLabel) = Self.sourcesAndGuide(count: 9)
        func attacked(_ range: Range<Int>, seed: UInt64 = 3) throws -> [Float] {
            let attack = FeatureAdversaries(
                layer: "3", guide: guide, guideLabel: guideLabel, steps: 3, stepSize: 0.01, randomStart: true,
                seed: seed)
            return try attack.attack(
                model, images: images.rows(range), labels: Array(labels[range]), threat: ThreatModel(epsilon: 0.1)
            ).adversarial.scalars
        }
        let whole = try attacked(0..<9)
        #expect(try attacked(0..<4) + attacked(4..<9) == whole, "rows attacked apart differ from the whole set's")
        #expect(try attacked(0..<9, seed: 4) != whole, "seeds 3 and 4 gave the same points")
    }

    @Test func movesFeaturesTowardsTheGuideWithinTheBall() throws {
        let model = TinyModel.make()
        let (images, labels, guide, guideLabel) = Self.sourcesAndGuide(count: 40)
        let attack = FeatureAdversaries(layer: nil, guide: guide, guideLabel: guideLabel, steps: 30)
        let run =
            try attack.makeRun(
                classifier: model, images: images, labels: labels, threat: ThreatModel(epsilon: 0.2))
            as! FeatureAdversariesRun
        var previous = run.bestDistances
        while !run.isFinished {
            try run.step()
            // The kept iterate never gets farther from the guide.
            #expect(zip(run.bestDistances, previous).allSatisfy { $0 <= $1 })
            previous = run.bestDistances
        }
        let result = run.result()
        #expect(result.outcomes.allSatisfy { $0.target == guideLabel })
        let relative = try #require(result.metrics["relative_feature_distance"])
        #expect(relative < 0.8, "relative distance \(relative)")
        #expect(result.successRate > 0.3, "success \(result.successRate)")
        #expect(linfViolations(result.adversarial, images, epsilon: 0.2) == (0, 0))
        // The reported distance is the output's.
        let features = noGrad { model.activations(result.adversarial, at: "3") }
        let target = noGrad { model.activations(Tensor(shape: [1, 784], scalars: guide), at: "3") }
        let recomputed = FeatureAdversariesRun.distances(features, to: target)
        for (a, b) in zip(recomputed, run.bestDistances) { #expect(abs(a - b) <= 1e-3 * max(1, b)) }
    }

    @Test func refusesWhatCannotWork() throws {
        let model = TinyModel.make()
        let (images, labels, guide, guideLabel) = Self.sourcesAndGuide(count: 4)
        let threat = ThreatModel(epsilon: 0.1)
        #expect(throws: AttackError.self) {
            _ = try FeatureAdversaries(layer: "7", guide: guide, guideLabel: guideLabel)
                .makeRun(classifier: model, images: images, labels: labels, threat: threat)
        }
        #expect(throws: AttackError.self) {
            _ = try FeatureAdversaries(layer: "3", guide: guide, guideLabel: labels[0])
                .makeRun(classifier: model, images: images, labels: labels, threat: threat)
        }
        #expect(throws: AttackError.self) {
            _ = try FeatureAdversaries(layer: "3", guide: [0.5], guideLabel: guideLabel)
                .makeRun(classifier: model, images: images, labels: labels, threat: threat)
        }
        #expect(throws: AttackError.self) {
            _ = try FeatureAdversaries(layer: "3", guide: guide, guideLabel: guideLabel)
                .makeRun(classifier: model, images: images, labels: labels, threat: ThreatModel(norm: .l2, epsilon: 1))
        }
        do {
            _ = try FeatureAdversaries(layer: "x", guide: guide, guideLabel: guideLabel)
                .makeRun(classifier: model, images: images, labels: labels, threat: threat)
        } catch let error as AttackError {
            #expect(error.description.contains("0 (Linear), 1 (ReLU)"), "\(error)")
        }
    }
}
