import Foundation

/// Per-class sample scores for class-conditional samplers (classifier-free guidance, Ho & Salimans 2021;
/// classifier guidance, Dhariwal & Nichol 2021): how often each requested class is drawn, and how close
/// each class's samples lie to the real images of that class in the scoring classifier's feature space.
extension SampleScores {
    /// The share of the samples requested as each class (`requested`, one class per sample) that the
    /// classifier assigns to that class; 0 for a class no sample was requested as.
    public func classAccuracyPerClass(requested: [Int], classCount: Int) -> [Double] {
        precondition(
            requested.count == predictions.count,
            "class accuracy per class: \(requested.count) requests, \(predictions.count) samples")
        var hits = [Int](repeating: 0, count: classCount)
        var asked = [Int](repeating: 0, count: classCount)
        for (label, predicted) in zip(requested, predictions) where (0..<classCount).contains(label) {
            asked[label] += 1
            if predicted == label { hits[label] += 1 }
        }
        return (0..<classCount).map { Double(hits[$0]) / Double(max(asked[$0], 1)) }
    }

    /// The Frechet distance of each class k: the Gaussian fit of the feature rows of the samples of class k
    /// (`labels`, the class each sample was drawn as) against that of the reference rows of class k
    /// (`referenceLabels`, the real images' labels), by the same formula as the overall distance
    /// (`frechetDistance`, covariances with divisor n - 1).
    ///
    /// With fewer samples of a class than feature dimensions the sample covariance is rank-deficient (n = 10
    /// samples give rank at most 9 of the classifier's 128 or 256 dimensions): the distance is still well
    /// defined and computed the same way, but it is biased upward by the small sample, so per-class
    /// distances are comparable only with each other at the same n, not with an overall FCD or with FID
    /// figures elsewhere.
    /// - Parameters:
    ///   - features: row-major `[n, dimension]` sample features.
    ///   - reference: row-major `[m, dimension]` reference features.
    /// - Returns: one distance per class; NaN for a class with fewer than `minimumFrechetRows` samples or
    ///   reference rows (no covariance to fit).
    public static func perClassFrechetDistance(
        _ features: [Double], labels: [Int], reference: [Double], referenceLabels: [Int], classCount: Int,
        dimension d: Int
    ) -> [Double] {
        precondition(features.count == labels.count * d, "per-class FCD: \(labels.count) labels for the samples")
        precondition(
            reference.count == referenceLabels.count * d,
            "per-class FCD: \(referenceLabels.count) labels for the reference")
        func rows(of label: Int, _ x: [Double], _ labels: [Int]) -> (values: [Double], count: Int) {
            var values: [Double] = []
            var count = 0
            for (i, l) in labels.enumerated() where l == label {
                values += x[(i * d)..<((i + 1) * d)]
                count += 1
            }
            return (values, count)
        }
        return (0..<classCount).map { label in
            let samples = rows(of: label, features, labels)
            let real = rows(of: label, reference, referenceLabels)
            guard frechetShortfall(samples: samples.count, reference: real.count) == nil else { return .nan }
            return frechetDistance(samples.values, rows: samples.count, real.values, rows: real.count, dimension: d)
        }
    }
}
