import Foundation
import TensorCore
import Testing

@testable import Models

/// Known answers for the per-class sample scores of `bench guidance`: the per-class Frechet distance
/// (samples of class k against reference rows of class k) and the per-class class accuracy.
@Suite struct PerClassSampleScoresTests {
    @Test func perClassFrechetDistanceKnownAnswers() {
        // 1-D features, the classes interleaved. Class 0: samples {0, 2} (mean 1, variance 2) against
        // reference {1, 3, 5} (mean 3, variance 4): (1 - 3)^2 + 2 + 4 - 2 sqrt(2 * 4). Class 1: samples
        // {10, 10} (variance 0) against {10, 12} (mean 11, variance 2): 1 + 0 + 2 - 0. Class 2: no samples.
        let distances = SampleScores.perClassFrechetDistance(
            [0, 10, 2, 10], labels: [0, 1, 0, 1], reference: [1, 10, 3, 5, 12], referenceLabels: [0, 1, 0, 0, 1],
            classCount: 3, dimension: 1)
        #expect(distances.count == 3)
        #expect(abs(distances[0] - (10 - 2 * 8.0.squareRoot())) < 1e-9, "\(distances)")
        #expect(abs(distances[1] - 3) < 1e-9, "\(distances)")
        #expect(distances[2].isNaN)
        // A class without reference rows is NaN too.
        let noReference = SampleScores.perClassFrechetDistance(
            [1, 1, 2], labels: [0, 0, 1], reference: [1, 1], referenceLabels: [0, 0], classCount: 2, dimension: 1)
        #expect(noReference[0] == 0 && noReference[1].isNaN, "\(noReference)")
    }

    @Test func perClassFrechetDistanceIsTheOverallFormulaOnEachClass() {
        var generator = RandomGenerator(seed: 5)
        let d = 6
        let labels = (0..<40).map { $0 % 4 }
        let referenceLabels = (0..<90).map { ($0 * 7) % 4 }
        let features = (0..<(40 * d)).map { i in Double(generator.gaussian()) + Double(labels[i / d]) }
        let reference = (0..<(90 * d)).map { i in 2 * Double(generator.gaussian()) + Double(referenceLabels[i / d]) }
        let distances = SampleScores.perClassFrechetDistance(
            features, labels: labels, reference: reference, referenceLabels: referenceLabels, classCount: 4,
            dimension: d)
        for k in 0..<4 {
            let a = labels.indices.filter { labels[$0] == k }.flatMap { features[($0 * d)..<(($0 + 1) * d)] }
            let b = referenceLabels.indices.filter { referenceLabels[$0] == k }
                .flatMap { reference[($0 * d)..<(($0 + 1) * d)] }
            let expected = SampleScores.frechetDistance(a, rows: a.count / d, b, rows: b.count / d, dimension: d)
            #expect(abs(distances[k] - expected) < 1e-9 * max(1, expected), "class \(k)")
            #expect(distances[k] > 0.5, "class \(k): the reference has twice the spread")
        }
    }

    /// Fewer samples than dimensions (a rank-deficient covariance, as with 10 samples per class in 128
    /// features): still finite, and 0 against the same rows.
    @Test func rankDeficientCovarianceStillComputes() {
        var generator = RandomGenerator(seed: 9)
        let d = 8
        let rows = (0..<(3 * d)).map { _ in Double(generator.gaussian()) }
        let same = SampleScores.perClassFrechetDistance(
            rows, labels: [0, 0, 0], reference: rows, referenceLabels: [0, 0, 0], classCount: 1, dimension: d)
        #expect(abs(same[0]) < 1e-6, "\(same)")
        let shifted = SampleScores.perClassFrechetDistance(
            rows, labels: [0, 0, 0], reference: rows.map { $0 + 1 }, referenceLabels: [0, 0, 0], classCount: 1,
            dimension: d)
        // Shifting every feature by 1 moves only the mean: the distance is d.
        #expect(abs(shifted[0] - Double(d)) < 1e-6, "\(shifted)")
    }

    /// One sample (or one reference image) estimates no covariance: the FCD was printed all the same (n = 1
    /// read as zero spread, so the "distance" was the reference's whole variance plus the squared mean
    /// gap). Now it is nil overall and NaN per class, with the reason; two rows give a figure again.
    @Test func tooFewRowsForACovarianceGiveNoFrechetDistance() {
        let d = 3
        func scores(samples: Int, reference: Int) -> SampleScores {
            let features = Tensor(shape: [samples, d], scalars: (0..<(samples * d)).map { Float($0 % 5) })
            let logits = Tensor(shape: [samples, 2], scalars: (0..<(samples * 2)).map { Float($0 % 3) })
            let referenceFeatures = Tensor(
                shape: [reference, d], scalars: (0..<(reference * d)).map { Float(($0 * 7) % 4) })
            return SampleScores.evaluate(features: features, logits: logits, referenceFeatures: referenceFeatures)
        }
        let one = scores(samples: 1, reference: 10)
        #expect(one.frechetDistance == nil)
        #expect(one.frechetNote == "the FCD needs at least 2 samples to estimate a covariance, got 1")
        let oneReference = scores(samples: 10, reference: 1)
        #expect(oneReference.frechetDistance == nil)
        #expect(oneReference.frechetNote?.contains("at least 2 test images") == true)
        let two = scores(samples: 2, reference: 2)
        #expect(two.frechetDistance.map { $0.isFinite && $0 >= 0 } == true && two.frechetNote == nil)

        // Per class: class 0 has one sample, class 1 two samples but one reference row, class 2 two of each.
        let perClass = SampleScores.perClassFrechetDistance(
            [0, 1, 2, 3, 4], labels: [0, 1, 1, 2, 2], reference: [0, 1, 1, 2, 3, 5, 6],
            referenceLabels: [0, 0, 1, 2, 2, 0, 0], classCount: 3, dimension: 1)
        #expect(perClass[0].isNaN && perClass[1].isNaN && perClass[2].isFinite, "\(perClass)")
    }

    @Test func classAccuracyPerClass() {
        let scores = SampleScores(
            histogram: [1, 2, 1, 0], classEntropy: 0, classesCovered: 3, meanConfidence: 1, frechetDistance: 0,
            predictions: [0, 1, 1, 2])
        #expect(scores.classAccuracyPerClass(requested: [0, 0, 1, 2], classCount: 4) == [0.5, 1, 1, 0])
        #expect(scores.classAccuracy(requested: [0, 0, 1, 2]) == 0.75)
    }
}
