import Foundation
import NeuralNet
import TensorCore

/// Scores for generated samples judged by the workbench's own classifier (MATH.md section 11): the
/// histogram of predicted classes and its entropy (mode collapse shows as missing classes), the mean
/// confidence, and the Frechet distance between Gaussian fits of the classifier's penultimate features
/// on real and generated images (FID, Heusel et al. 2017, in the classifier's feature space).
public struct SampleScores: Sendable {
    /// Predicted-class counts.
    public var histogram: [Int]
    /// Entropy of the normalised histogram, nats (at most `log(classes)`).
    public var classEntropy: Double
    /// Classes predicted for at least one sample.
    public var classesCovered: Int
    /// Mean of the highest softmax probability.
    public var meanConfidence: Double
    /// Frechet distance of penultimate features, generated vs reference; nil when either side has fewer
    /// than `minimumFrechetRows` rows (`frechetShortfall` says why).
    public var frechetDistance: Double?
    /// Why `frechetDistance` is nil (too few samples or reference images for a covariance); nil otherwise.
    public var frechetNote: String? = nil
    /// The class the classifier predicts for each sample, in order.
    public var predictions: [Int] = []

    /// The share of samples predicted as the class requested for them (`requested`, one per sample):
    /// how often a class-conditional sampler draws what it was asked for.
    public func classAccuracy(requested: [Int]) -> Double {
        precondition(
            requested.count == predictions.count,
            "class accuracy: \(requested.count) requests, \(predictions.count) samples")
        guard !requested.isEmpty else { return 0 }
        return Double(zip(predictions, requested).filter { $0 == $1 }.count) / Double(requested.count)
    }

    /// Scores `images` ([n, pixels] in [0, 1]) against `reference` real images ([m, pixels]).
    public static func evaluate(classifier: Classifier, images: Tensor, reference: Tensor) -> SampleScores {
        let (features, logits) = penultimate(classifier, images)
        let (referenceFeatures, _) = penultimate(classifier, reference)
        return evaluate(features: features, logits: logits, referenceFeatures: referenceFeatures)
    }

    /// Scores samples from the classifier's penultimate `features` `[n, F]` and `logits` `[n, classes]`
    /// (`penultimate`) against the features of the real images `[m, F]`, so that a caller scoring many
    /// sample sets against one reference computes the reference's features once.
    public static func evaluate(features: Tensor, logits: Tensor, referenceFeatures: Tensor) -> SampleScores {
        let classes = logits.shape[1]
        var histogram = [Int](repeating: 0, count: classes)
        let predictions = logits.argmax()
        for predicted in predictions { histogram[predicted] += 1 }
        let probabilities = noGrad { logits.softmax() }
        var confidence = 0.0
        for r in 0..<logits.shape[0] {
            var best: Float = 0
            for j in 0..<classes { best = max(best, probabilities.data[r * classes + j]) }
            confidence += Double(best)
        }
        let width = features.shape[1]
        let shortfall = frechetShortfall(samples: features.shape[0], reference: referenceFeatures.shape[0])
        return SampleScores(
            histogram: histogram, classEntropy: entropy(histogram), classesCovered: histogram.filter { $0 > 0 }.count,
            meanConfidence: confidence / Double(max(logits.shape[0], 1)),
            frechetDistance: shortfall == nil
                ? frechetDistance(
                    features.scalars.map(Double.init), rows: features.shape[0],
                    referenceFeatures.scalars.map(Double.init), rows: referenceFeatures.shape[0], dimension: width)
                : nil, frechetNote: shortfall, predictions: predictions)
    }

    /// The fewest rows on each side of a Frechet distance: its Gaussian fits need a covariance (divisor
    /// n - 1), which one row does not estimate (it would read as zero spread, and the "distance" would be
    /// the reference's whole variance plus a squared mean difference).
    public static let minimumFrechetRows = 2

    /// Why no Frechet distance is computed between `samples` and `reference` rows, or nil when it is.
    public static func frechetShortfall(samples: Int, reference: Int) -> String? {
        if samples < minimumFrechetRows {
            return "the FCD needs at least \(minimumFrechetRows) samples to estimate a covariance, got \(samples)"
        }
        if reference < minimumFrechetRows {
            return "the FCD needs at least \(minimumFrechetRows) test images to estimate a covariance, got \(reference)"
        }
        return nil
    }

    /// The classifier's features before its last layer `[n, F]` and its logits `[n, classes]`.
    public static func penultimate(_ classifier: Classifier, _ images: Tensor) -> (features: Tensor, logits: Tensor) {
        classifier.setTraining(false)
        defer { classifier.setTraining(true) }
        return noGrad {
            var h = images
            let layers = classifier.network.layers
            for layer in layers.dropLast() { h = layer(h) }
            return (h, layers.last!(h))
        }
    }

    /// Entropy (nats) of a histogram of counts.
    public static func entropy(_ counts: [Int]) -> Double {
        let total = Double(counts.reduce(0, +))
        guard total > 0 else { return 0 }
        return counts.reduce(0.0) { sum, c in
            c > 0 ? sum - Double(c) / total * Foundation.log(Double(c) / total) : sum
        }
    }

    /// Mean `[d]` and covariance `[d, d]` (divisor n - 1) of row-major samples `[n, d]`.
    public static func meanAndCovariance(_ x: [Double], rows n: Int, dimension d: Int) -> (
        mean: [Double], covariance: [Double]
    ) {
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centered = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { centered[j] = x[i * d + j] - mean[j] }
            for a in 0..<d {
                let ca = centered[a]
                if ca == 0 { continue }
                for b in a..<d { covariance[a * d + b] += ca * centered[b] }
            }
        }
        let divisor = Double(max(n - 1, 1))
        for a in 0..<d {
            for b in a..<d {
                covariance[a * d + b] /= divisor
                covariance[b * d + a] = covariance[a * d + b]
            }
        }
        return (mean, covariance)
    }

    /// `||mu1 - mu2||^2 + tr(C1 + C2 - 2 (C1^{1/2} C2 C1^{1/2})^{1/2})` between Gaussian fits of two
    /// samples, in Double with symmetric eigen-decompositions (Dowson & Landau 1982).
    public static func frechetDistance(_ a: [Double], rows n: Int, _ b: [Double], rows m: Int, dimension d: Int)
        -> Double
    {
        let (mu1, c1) = meanAndCovariance(a, rows: n, dimension: d)
        let (mu2, c2) = meanAndCovariance(b, rows: m, dimension: d)
        return frechetDistance(mean1: mu1, covariance1: c1, mean2: mu2, covariance2: c2, dimension: d)
    }

    public static func frechetDistance(
        mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double], dimension d: Int
    ) -> Double {
        var distance = 0.0
        for j in 0..<d { distance += (mean1[j] - mean2[j]) * (mean1[j] - mean2[j]) }
        let root1 = SymmetricEigen.squareRoot(covariance1, n: d)
        let product = SymmetricEigen.multiply(
            SymmetricEigen.multiply(root1, covariance2, m: d, k: d, n: d), root1, m: d, k: d, n: d)
        let (values, _) = SymmetricEigen.decompose(product, n: d)
        var traceRoot = 0.0
        for v in values { traceRoot += max(v, 0).squareRoot() }
        for j in 0..<d { distance += covariance1[j * d + j] + covariance2[j * d + j] }
        return max(distance - 2 * traceRoot, 0)
    }
}
