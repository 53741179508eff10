import Foundation
import NeuralNet
import TensorCore

/// Principal component analysis (Pearson 1901; Hotelling 1933), the linear baseline of MATH.md
/// section 1.
///
/// Center the images, `m = mean(x)`; the top-k principal directions `V_k` are the leading eigenvectors
/// of the covariance. Code `c = (x - m) V_k`, reconstruction `x_hat = m + c V_k^T`.
///
/// The covariance is formed with the GEMM kernel; its leading eigenvectors come from block power
/// (subspace) iteration with re-orthonormalisation in Double, finished by a Rayleigh-Ritz step whose
/// small eigenproblem is solved exactly by Jacobi (`SymmetricEigen`). Orders up to 128 skip the
/// iteration and run Jacobi on the whole covariance.
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
    public static func fit(images: [Float], features: Int, components count: Int, seed: UInt64 = 0) -> PCA {
        fit(images: images, features: features, components: count, seed: seed, checkpoint: {})
    }

    /// `fit`, calling `checkpoint` every few hundred milliseconds of work at most (between rows, iterations
    /// and sweeps), so a caller can abandon a fit of a large set by throwing from it (Ctrl-C in `train pca`).
    public static func fit<Failure: Error>(
        images: [Float], features: Int, components count: Int, seed: UInt64 = 0,
        checkpoint: () throws(Failure) -> Void
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

        let (values, vectors) = try leadingEigenvectors(
            covariance, covarianceF: covarianceF, scale: 1 / Float(n), n: features, count: count, seed: seed,
            checkpoint: checkpoint)
        let model = PCA(components: count, features: features)
        for j in 0..<features { model.mean.data[j] = Float(meanD[j]) }
        for c in 0..<count {
            // Sign convention: the largest-magnitude component of each direction is positive.
            var largest = 0
            for j in 0..<features where Swift.abs(vectors[j * count + c]) > Swift.abs(vectors[largest * count + c]) {
                largest = j
            }
            let sign: Double = vectors[largest * count + c] < 0 ? -1 : 1
            for j in 0..<features { model.components.data[c * features + j] = Float(sign * vectors[j * count + c]) }
            model.explainedVariance.data[c] = Float(values[c])
        }
        model.totalVariance.data[0] = Float(trace)
        return model
    }

    /// Top `count` eigenpairs of the symmetric `n x n` matrix; vectors as columns of `[n, count]`.
    static func leadingEigenvectors<Failure: Error>(
        _ matrix: [Double], covarianceF: Tensor, scale: Float, n: Int, count: Int, seed: UInt64,
        checkpoint: () throws(Failure) -> Void
    ) throws(Failure) -> (values: [Double], vectors: [Double]) {
        if n <= 128 {
            let (values, vectors) = try SymmetricEigen.decompose(matrix, n: n, checkpoint: checkpoint)
            var top = [Double](repeating: 0, count: n * count)
            for i in 0..<n { for c in 0..<count { top[i * count + c] = vectors[i * n + c] } }
            return (Array(values[0..<count]), top)
        }
        // Block power iteration on a block of p >= count vectors (Golub & Van Loan 8.2.4).
        let p = min(n, count + 16)
        var generator = RandomGenerator(seed: seed ^ 0x5043_4100)
        var q = (0..<(n * p)).map { _ in Double(generator.gaussian()) }
        orthonormalizeColumns(&q, rows: n, columns: p)
        var previous = [Double](repeating: 0, count: p)
        for iteration in 0..<600 {
            try checkpoint()
            let block = Tensor(shape: [n, p], scalars: q.map { Float($0) })
            let product = noGrad { covarianceF.matmul(block) }
            var next = product.scalars.map { Double($0) * Double(scale) }
            if iteration % 10 == 9 {
                // Ritz values from Q^T C Q (Float product): stop when the leading `count` settle.
                var ritz = [Double](repeating: 0, count: p)
                for c in 0..<p { for i in 0..<n { ritz[c] += q[i * p + c] * next[i * p + c] } }
                var change = 0.0
                for c in 0..<count {
                    change = max(change, Swift.abs(ritz[c] - previous[c]) / max(Swift.abs(ritz[c]), 1e-30))
                }
                previous = ritz
                if change < 1e-8 && iteration >= 49 { break }
            }
            orthonormalizeColumns(&next, rows: n, columns: p)
            q = next
        }
        // Rayleigh-Ritz in Double: B = Q^T C Q, eigenvectors W, directions Q W.
        try checkpoint()
        let cq = SymmetricEigen.multiply(matrix, q, m: n, k: n, n: p)
        var b = [Double](repeating: 0, count: p * p)
        for i in 0..<n {
            for r in 0..<p {
                let x = q[i * p + r]
                for c in 0..<p { b[r * p + c] += x * cq[i * p + c] }
            }
        }
        let (values, w) = try SymmetricEigen.decompose(b, n: p, checkpoint: checkpoint)
        let directions = SymmetricEigen.multiply(q, w, m: n, k: p, n: p)
        var top = [Double](repeating: 0, count: n * count)
        for i in 0..<n { for c in 0..<count { top[i * count + c] = directions[i * p + c] } }
        return (Array(values[0..<count]), top)
    }

    /// Modified Gram-Schmidt on the columns of a row-major `[rows, columns]` matrix (twice, for accuracy).
    static func orthonormalizeColumns(_ m: inout [Double], rows: Int, columns: Int) {
        for _ in 0..<2 {
            for c in 0..<columns {
                for previous in 0..<c {
                    var dot = 0.0
                    for i in 0..<rows { dot += m[i * columns + c] * m[i * columns + previous] }
                    for i in 0..<rows { m[i * columns + c] -= dot * m[i * columns + previous] }
                }
                var norm = 0.0
                for i in 0..<rows { norm += m[i * columns + c] * m[i * columns + c] }
                norm = norm.squareRoot()
                let inverse = norm > 0 ? 1 / norm : 0
                for i in 0..<rows { m[i * columns + c] *= inverse }
            }
        }
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
