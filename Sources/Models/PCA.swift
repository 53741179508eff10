import Foundation
import NeuralNet
import TensorCore

/// Principal component analysis (Pearson 1901; Hotelling 1933), the linear baseline of MATH.md
/// section 1.
///
/// Center the images, `m = mean(x)`; the top-k principal directions `V_k` are the leading eigenvectors
/// of the covariance. Code `c = (x - m) V_k`, reconstruction `x_hat = m + c V_k^T`.
///
/// The covariance is formed with the GEMM kernel; all its eigenpairs come from Householder tridiagonalisation
/// and implicit QL in Double (`SymmetricEigen.decomposeByHouseholderQL`), well under a second at 784
/// features for any k.
public final class PCA: Module {
    /// Pixel mean `[features]`.
    public let mean: Tensor
    /// Principal directions as rows, `[components, features]`, unit length, by decreasing variance.
    public let components: Tensor
    /// Variance along each direction (eigenvalues of the covariance), `[components]`.
    public let explainedVariance: Tensor
    /// Trace of the training covariance (total variance), `[1]`.
    public let totalVariance: Tensor

    public var componentCount: Int { components.shape[0] }
    public var featureCount: Int { components.shape[1] }

    /// An empty model of the given size, to load a checkpoint into.
    public init(components count: Int, features: Int) {
        mean = Tensor(zeros: [features])
        components = Tensor(zeros: [count, features])
        explainedVariance = Tensor(zeros: [count])
        totalVariance = Tensor(zeros: [1])
    }

    /// Fits the top `count` directions of `images` (`[n, features]` row-major).
    public static func fit(images: [Float], features: Int, components count: Int) -> PCA {
        fit(images: images, features: features, components: count, checkpoint: {})
    }

    /// `fit`, calling `checkpoint` every few milliseconds of work at most (between rows and between the
    /// eigensolver's steps), so a caller can abandon a fit of a large set by throwing from it (Ctrl-C in `train pca`).
    public static func fit<Failure: Error>(
        images: [Float], features: Int, components count: Int, checkpoint: () throws(Failure) -> Void
    ) throws(Failure) -> PCA {
        precondition(
            features > 0 && images.count % features == 0, "PCA: \(images.count) values for \(features) features")
        let n = images.count / features
        precondition(
            n > 0 && count >= 1 && count <= features,
            "PCA: \(count) components of \(features) features from \(n) images")
        // Mean in Double, centered data in Float for the covariance GEMM.
        var meanD = [Double](repeating: 0, count: features)
        for i in 0..<n {
            if i % 4096 == 0 { try checkpoint() }
            for j in 0..<features { meanD[j] += Double(images[i * features + j]) }
        }
        for j in 0..<features { meanD[j] /= Double(n) }
        let centered = Tensor(zeros: [n, features])
        for i in 0..<n {
            if i % 4096 == 0 { try checkpoint() }
            for j in 0..<features {
                centered.data[i * features + j] = Float(Double(images[i * features + j]) - meanD[j])
            }
        }
        let covarianceF = noGrad { centered.matmul(centered, transposeSelf: true) }
        try checkpoint()
        let covariance = (0..<(features * features)).map { Double(covarianceF.data[$0]) / Double(n) }
        var trace = 0.0
        for j in 0..<features { trace += covariance[j * features + j] }

        let (values, vectors) = try SymmetricEigen.decomposeByHouseholderQL(
            covariance, n: features, checkpoint: checkpoint)
        let model = PCA(components: count, features: features)
        for j in 0..<features { model.mean.data[j] = Float(meanD[j]) }
        for c in 0..<count {
            // Sign convention: the largest-magnitude component of each direction is positive.
            let direction = (0..<features).map { vectors[$0 * features + c] }
            var largest = 0
            for j in 0..<features where Swift.abs(direction[j]) > Swift.abs(direction[largest]) { largest = j }
            let sign: Double = direction[largest] < 0 ? -1 : 1
            for j in 0..<features { model.components.data[c * features + j] = Float(sign * direction[j]) }
            model.explainedVariance.data[c] = Float(values[c])
        }
        model.totalVariance.data[0] = Float(trace)
        return model
    }

    /// Codes of `x` ([batch, features]) on the first `k` directions: `[batch, k]`.
    public func encode(_ x: Tensor, components k: Int? = nil) -> Tensor {
        let used = k.map { components.rows(0..<$0) } ?? components
        return (x - mean).matmul(used, transposeOther: true)
    }

    /// Reconstructions from codes `[batch, k]`: `m + c V_k^T`.
    public func decode(_ codes: Tensor) -> Tensor {
        codes.matmul(components.rows(0..<codes.shape[1])) + mean
    }

    /// Mean squared reconstruction error per pixel over `images` using the first `k` directions.
    public func reconstructionError(images: [Float], components k: Int? = nil, batchSize: Int = 2000) -> Double {
        let features = featureCount
        let n = images.count / features
        var total = 0.0
        noGrad {
            var start = 0
            while start < n {
                let end = min(start + batchSize, n)
                let x = Tensor(
                    shape: [end - start, features], copying: images[(start * features)..<(end * features)])
                let reconstruction = decode(encode(x, components: k))
                for i in 0..<x.count {
                    let d = Double(reconstruction.data[i]) - Double(x.data[i])
                    total += d * d
                }
                start = end
            }
        }
        return n == 0 ? 0 : total / Double(n * features)
    }

    /// Fraction of the variance of `images` about the training mean that the first `k` directions
    /// reconstruct: `1 - sum ||x - x_hat||^2 / sum ||x - m||^2`. On the training images it equals
    /// `explainedVarianceRatio(components:)`; on the test images it is the test figure.
    public func explainedVarianceRatio(images: [Float], components k: Int? = nil) -> Double {
        let features = featureCount
        let n = images.count / features
        var deviation = 0.0
        for i in 0..<(n * features) {
            let d = Double(images[i]) - Double(mean.data[i % features])
            deviation += d * d
        }
        guard deviation > 0 else { return 0 }
        return 1 - reconstructionError(images: images, components: k) * Double(n * features) / deviation
    }

    /// Fraction of the total training variance captured by the first `k` directions.
    public func explainedVarianceRatio(components k: Int? = nil) -> Double {
        let used = k ?? componentCount
        var sum = 0.0
        for c in 0..<used { sum += Double(explainedVariance.data[c]) }
        let total = Double(totalVariance.data[0])
        return total > 0 ? sum / total : 0
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { decode(encode(input)) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [
            ("mean", mean), ("components", components), ("explained_variance", explainedVariance),
            ("total_variance", totalVariance),
        ]
    }
}
