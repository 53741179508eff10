import Foundation

/// Eigen-decomposition of a real symmetric matrix by Householder tridiagonalisation and the implicit QL
/// method with Wilkinson shifts (Golub & Van Loan, "Matrix Computations", sections 8.3.1 and 8.3.5; the
/// EISPACK routines tred2 and tql2), in Double.
///
/// About 9n^3 arithmetic in all, what cyclic Jacobi spends on each of its 6 to 10 sweeps: the way to the
/// whole spectrum of an order in the hundreds (PCA's 784 x 784 covariance takes a fraction of a second).
/// Every inner loop walks a contiguous row: the reduction keeps the lower triangle, and the QL rotations
/// act on the rows of the transposed eigenvector matrix.
extension SymmetricEigen {
    /// Same contract as `decompose`: eigenvalues in descending order and the matching unit eigenvectors as
    /// the columns of an `n x n` row-major matrix. `checkpoint` is called before each Householder step and
    /// each QL eigenvalue (a few milliseconds of work at order 784), so a caller can abandon it by throwing.
    public static func decomposeByHouseholderQL<Failure: Error>(
        _ matrix: [Double], n: Int, checkpoint: () throws(Failure) -> Void
    ) throws(Failure) -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n, "SymmetricEigen: \(matrix.count) entries for order \(n)")
        guard n > 0 else { return ([], []) }
        var a = symmetrized(matrix, n: n)
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        try tridiagonalize(&a, n: n, diagonal: &d, offDiagonal: &e, checkpoint: checkpoint)
        // Rotations act on eigenvector columns; keep them as rows (the transpose) so each is contiguous.
        var z = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { z[j * n + i] = a[i * n + j] } }
        try diagonalizeTridiagonal(diagonal: &d, offDiagonal: &e, rotating: &z, n: n, checkpoint: checkpoint)
        let order = (0..<n).sorted { d[$0] > d[$1] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (column, source) in order.enumerated() {
            for i in 0..<n { vectors[i * n + column] = z[source * n + i] }
        }
        return (order.map { d[$0] }, vectors)
    }

    /// Householder reduction of the symmetric `a` to tridiagonal form `Q^T a Q` (tred2): `diagonal` and
    /// `offDiagonal` (`offDiagonal[i]` couples `i - 1` and `i`; `offDiagonal[0]` is 0), and `a` becomes `Q`.
    static func tridiagonalize<Failure: Error>(
        _ a: inout [Double], n: Int, diagonal d: inout [Double], offDiagonal e: inout [Double],
        checkpoint: () throws(Failure) -> Void
    ) throws(Failure) {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { p.deallocate() }
        try a.withUnsafeMutableBufferPointer { (matrix) throws(Failure) in
            let a = matrix.baseAddress!
            for i in stride(from: n - 1, to: 0, by: -1) {
                try checkpoint()
                let l = i - 1
                let u = a + i * n
                var h = 0.0
                var scale = 0.0
                for k in 0...l { scale += Swift.abs(u[k]) }
                if l == 0 || scale == 0 {
                    e[i] = u[l]
                } else {
                    // u = row i left of the diagonal, scaled; H = I - u u^T / h zeroes all but its last entry.
                    for k in 0...l {
                        u[k] /= scale
                        h += u[k] * u[k]
                    }
                    let f = u[l]
                    let g = f >= 0 ? -h.squareRoot() : h.squareRoot()
                    e[i] = scale * g
                    h -= f * g
                    u[l] = f - g
                    // p = A u / h on the leading block, from its lower triangle: row j gives the dot product
                    // for p[j] and, by symmetry, its terms to p[k] for k < j. K = u^T p / 2h.
                    p.update(repeating: 0, count: l + 1)
                    for j in 0...l {
                        let rowJ = a + j * n
                        p[j] += dotAndAccumulate(rowJ, u, scaledBy: u[j], into: p, count: j) + rowJ[j] * u[j]
                    }
                    var uTp = 0.0
                    for j in 0...l {
                        p[j] /= h
                        uTp += p[j] * u[j]
                    }
                    let hh = uTp / (h + h)
                    // A <- A - u q^T - q u^T with q = p - K u, on the lower triangle.
                    for j in 0...l { p[j] -= hh * u[j] }
                    for j in 0...l {
                        let rowJ = a + j * n
                        let uj = u[j]
                        let qj = p[j]
                        for k in 0...j { rowJ[k] -= uj * p[k] + qj * u[k] }
                    }
                }
                d[i] = h
            }
            d[0] = 0
            e[0] = 0
            // Accumulate Q = H_1 ... H_{n-1} in place, growing the identity from the top-left corner.
            let g = p
            for i in 0..<n {
                if i % 16 == 0 { try checkpoint() }
                let u = a + i * n
                if d[i] != 0 {
                    // Z <- Z - (u / h) (u^T Z) on the leading i x i block.
                    let l = i - 1
                    g.update(repeating: 0, count: i)
                    for k in 0...l {
                        let rowK = a + k * n
                        let uk = u[k]
                        for j in 0...l { g[j] += uk * rowK[j] }
                    }
                    for k in 0...l {
                        let rowK = a + k * n
                        let factor = u[k] / d[i]
                        for j in 0...l { rowK[j] -= factor * g[j] }
                    }
                }
                d[i] = u[i]
                u[i] = 1
                for j in 0..<i {
                    u[j] = 0
                    a[j * n + i] = 0
                }
            }
        }
    }

    /// `sum x[k] y[k]` over `k < count`, adding `x[k] * factor` to `target[k]` on the way (one pass over `x`
    /// for a symmetric matrix-vector product from one triangle). Eight lanes: the compiler does not
    /// reorder a floating-point sum by itself.
    private static func dotAndAccumulate(
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, scaledBy factor: Double,
        into target: UnsafeMutablePointer<Double>, count: Int
    ) -> Double {
        typealias Vector = SIMD8<Double>
        var sums = Vector()
        let factors = Vector(repeating: factor)
        var k = 0
        while k + 8 <= count {
            let xv = UnsafeRawPointer(x + k).loadUnaligned(as: Vector.self)
            let yv = UnsafeRawPointer(y + k).loadUnaligned(as: Vector.self)
            let tv = UnsafeRawPointer(target + k).loadUnaligned(as: Vector.self)
            sums = sums.addingProduct(xv, yv)
            UnsafeMutableRawPointer(target + k).storeBytes(of: tv.addingProduct(xv, factors), as: Vector.self)
            k += 8
        }
        var sum = sums.sum()
        while k < count {
            sum += x[k] * y[k]
            target[k] += x[k] * factor
            k += 1
        }
        return sum
    }

    /// Implicit QL with shifts on the symmetric tridiagonal (`diagonal`, `offDiagonal` as `tridiagonalize`
    /// leaves them) (tql2): `diagonal` becomes the eigenvalues, unsorted, and each rotation of columns `i`
    /// and `i + 1` is applied to rows `i` and `i + 1` of `z` (`n x n`, the transposed eigenvector matrix).
    static func diagonalizeTridiagonal<Failure: Error>(
        diagonal d: inout [Double], offDiagonal e: inout [Double], rotating z: inout [Double], n: Int,
        checkpoint: () throws(Failure) -> Void
    ) throws(Failure) {
        for i in 1..<max(n, 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        try z.withUnsafeMutableBufferPointer { (z) throws(Failure) in
            for l in 0..<n {
                try checkpoint()
                for _ in 0..<60 {
                    var m = l
                    while m < n - 1 {
                        let dd = Swift.abs(d[m]) + Swift.abs(d[m + 1])
                        if Swift.abs(e[m]) <= Double.ulpOfOne * dd { break }
                        m += 1
                    }
                    if m == l { break }
                    // Shift: the eigenvalue of the leading 2 x 2 block nearer d[l] (Wilkinson).
                    var g = (d[l + 1] - d[l]) / (2 * e[l])
                    var r = hypot(g, 1)
                    g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                    var s = 1.0
                    var c = 1.0
                    var p = 0.0
                    var i = m - 1
                    var underflow = false
                    while i >= l {
                        let f = s * e[i]
                        let b = c * e[i]
                        r = hypot(f, g)
                        e[i + 1] = r
                        if r == 0 {
                            // Recover from underflow: deflate and restart at l.
                            d[i + 1] -= p
                            e[m] = 0
                            underflow = true
                            break
                        }
                        s = f / r
                        c = g / r
                        g = d[i + 1] - p
                        r = (d[i] - g) * s + 2 * c * b
                        p = s * r
                        d[i + 1] = g + p
                        g = c * r - b
                        let rowI = z.baseAddress! + i * n
                        let rowNext = rowI + n
                        for k in 0..<n {
                            let next = rowNext[k]
                            rowNext[k] = s * rowI[k] + c * next
                            rowI[k] = c * rowI[k] - s * next
                        }
                        i -= 1
                    }
                    if underflow { continue }
                    d[l] -= p
                    e[l] = g
                    e[m] = 0
                }
            }
        }
    }
}
