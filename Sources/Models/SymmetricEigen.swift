import Foundation

/// Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method (Jacobi 1846; Golub &
/// Van Loan, "Matrix Computations", section 8.5), in Double.
///
/// Each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal norm is negligible.
/// Exact to rounding for the matrices it serves here (Frechet distances on classifier features of a few
/// hundred dimensions); PCA's 784 x 784 covariance goes to the faster `decomposeByHouseholderQL`.
public enum SymmetricEigen {
    /// - Parameters:
    ///   - matrix: `n x n` row-major, symmetric (only the symmetric part is used).
    ///   - n: the order.
    /// - Returns: eigenvalues in descending order and the matching unit eigenvectors as the columns of
    ///   an `n x n` row-major matrix (`vectors[i * n + j]` is component i of eigenvector j).
    public static func decompose(_ matrix: [Double], n: Int, maxSweeps: Int = 60) -> (
        values: [Double], vectors: [Double]
    ) {
        decompose(matrix, n: n, maxSweeps: maxSweeps, checkpoint: {})
    }

    /// `decompose`, calling `checkpoint` before each sweep (a sweep of order 800 takes about a second),
    /// so a caller can abandon it by throwing from there.
    public static func decompose<Failure: Error>(
        _ matrix: [Double], n: Int, maxSweeps: Int = 60, checkpoint: () throws(Failure) -> Void
    ) throws(Failure) -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n, "SymmetricEigen: \(matrix.count) entries for order \(n)")
        var a = symmetrized(matrix, n: n)
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        var scale = 0.0
        for x in a { scale += x * x }
        let tolerance = 1e-30 * max(scale, 1e-300)
        try a.withUnsafeMutableBufferPointer { (a) throws(Failure) in
            try v.withUnsafeMutableBufferPointer { (v) throws(Failure) in
                for _ in 0..<maxSweeps {
                    try checkpoint()
                    var off = 0.0
                    for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += a[i * n + j] * a[i * n + j] } }
                    if off <= tolerance { break }
                    for p in 0..<n {
                        for q in (p + 1)..<max(n, p + 1) {
                            let apq = a[p * n + q]
                            if apq == 0 { continue }
                            let app = a[p * n + p]
                            let aqq = a[q * n + q]
                            let theta = (aqq - app) / (2 * apq)
                            let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                            let c = 1 / (t * t + 1).squareRoot()
                            let s = t * c
                            // A <- J^T A J on rows/columns p and q.
                            for k in 0..<n {
                                let akp = a[k * n + p]
                                let akq = a[k * n + q]
                                a[k * n + p] = c * akp - s * akq
                                a[k * n + q] = s * akp + c * akq
                            }
                            for k in 0..<n {
                                let apk = a[p * n + k]
                                let aqk = a[q * n + k]
                                a[p * n + k] = c * apk - s * aqk
                                a[q * n + k] = s * apk + c * aqk
                            }
                            a[p * n + q] = 0
                            a[q * n + p] = 0
                            for k in 0..<n {
                                let vkp = v[k * n + p]
                                let vkq = v[k * n + q]
                                v[k * n + p] = c * vkp - s * vkq
                                v[k * n + q] = s * vkp + c * vkq
                            }
                        }
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        let values = order.map { a[$0 * n + $0] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (column, source) in order.enumerated() {
            for i in 0..<n { vectors[i * n + column] = v[i * n + source] }
        }
        return (values, vectors)
    }

    /// `A B` for row-major Double matrices: `[m, k] x [k, n]`.
    public static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for l in 0..<k {
                let x = a[i * k + l]
                if x == 0 { continue }
                for j in 0..<n { c[i * n + j] += x * b[l * n + j] }
            }
        }
        return c
    }

    /// The symmetric positive semi-definite square root `V diag(sqrt(max(lambda, 0))) V^T`.
    public static func squareRoot(_ matrix: [Double], n: Int) -> [Double] {
        let (values, vectors) = decompose(matrix, n: n)
        var scaled = vectors
        for i in 0..<n { for j in 0..<n { scaled[i * n + j] *= max(values[j], 0).squareRoot() } }
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<n { s += scaled[i * n + l] * vectors[j * n + l] }
                result[i * n + j] = s
            }
        }
        return result
    }

    /// `matrix` with each pair of mirrored entries replaced by their mean, so that rounding in how the
    /// caller built it cannot make the solvers see two different halves.
    static func symmetrized(_ matrix: [Double], n: Int) -> [Double] {
        var a = matrix
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                let s = 0.5 * (a[i * n + j] + a[j * n + i])
                a[i * n + j] = s
                a[j * n + i] = s
            }
        }
        return a
    }
}
