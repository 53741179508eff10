import TensorCore

/// Projects high-dimensional codes onto their two leading principal directions, for scatter plots of
/// latent spaces and hidden features (power iteration with deflation on the covariance, in Double).
public enum PlanarProjection {
    /// - Parameters: rows [count, dimension] flattened. - Returns: (x, y) per row.
    public static func project(_ rows: [Float], count: Int, dimension: Int) -> [(Double, Double)] {
        guard count > 0, dimension > 0 else { return [] }
        if dimension == 1 { return (0..<count).map { (Double(rows[$0]), 0) } }
        if dimension == 2 { return (0..<count).map { (Double(rows[2 * $0]), Double(rows[2 * $0 + 1])) } }
        var mean = [Double](repeating: 0, count: dimension)
        for r in 0..<count {
            for d in 0..<dimension { mean[d] += Double(rows[r * dimension + d]) }
        }
        for d in 0..<dimension { mean[d] /= Double(count) }
        // Covariance through the GEMM kernel (the scalar double loop cost tens of milliseconds).
        let centered = Tensor(zeros: [count, dimension])
        for r in 0..<count {
            for d in 0..<dimension { centered.data[r * dimension + d] = rows[r * dimension + d] - Float(mean[d]) }
        }
        let product = noGrad { centered.matmul(centered, transposeSelf: true) }
        let covariance = (0..<(dimension * dimension)).map { Double(product.data[$0]) }
        var directions: [[Double]] = []
        for component in 0..<2 {
            var v = (0..<dimension).map { Double(($0 * 7 + component * 13) % 11) - 5 + 0.5 }
            for _ in 0..<40 {
                var next = multiply(covariance, v, dimension: dimension)
                for previous in directions {
                    let dot = zip(next, previous).reduce(0) { $0 + $1.0 * $1.1 }
                    for i in 0..<dimension { next[i] -= dot * previous[i] }
                }
                let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-12 else { break }
                v = next.map { $0 / norm }
            }
            directions.append(v)
        }
        return (0..<count).map { r in
            var x = 0.0
            var y = 0.0
            for d in 0..<dimension {
                let c = Double(rows[r * dimension + d]) - mean[d]
                x += c * directions[0][d]
                y += c * directions[1][d]
            }
            return (x, y)
        }
    }

    /// `matrix` (dimension x dimension, row-major) times `vector`, four rows' dot products in SIMD lanes:
    /// the 40 power iterations of a 256-wide feature covariance took about 10 ms as a scalar loop with
    /// bounds checks, on the training queue at every heavy view.
    static func multiply(_ matrix: [Double], _ vector: [Double], dimension n: Int) -> [Double] {
        var result = [Double](repeating: 0, count: n)
        matrix.withUnsafeBufferPointer { m in
            vector.withUnsafeBufferPointer { v in
                result.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        let row = m.baseAddress! + i * n
                        var sums = SIMD4<Double>()
                        var j = 0
                        while j + 4 <= n {
                            sums += SIMD4(row[j], row[j + 1], row[j + 2], row[j + 3])
                                * SIMD4(v[j], v[j + 1], v[j + 2], v[j + 3])
                            j += 4
                        }
                        var total = sums.sum()
                        while j < n {
                            total += row[j] * v[j]
                            j += 1
                        }
                        out[i] = total
                    }
                }
            }
        }
        return result
    }
}
