import Testing

@testable import TensorCore

/// `GEMMPackedMatrix`'s allocation and products.
@Suite struct GEMMPackedMatrixTests {
    /// Regression: each panel's size was computed as `depth * (cols + 15) / 16 * 16` (the product
    /// divided, not the column count rounded), over-allocating every panel narrower than its depth's
    /// multiple of 16; a panel holds `depth * roundUp16(cols)` floats.
    /// Known answers: k 784 runs as 2 depth blocks of 392, n 100 as panels of 48, 48 and 4 (16) columns.
    @Test(arguments: [
        (784, 100, 2 * 392 * (48 + 48 + 16)), (17, 49, 17 * (48 + 16)), (5, 3, 5 * 16), (1024, 1024, 1024 * 1024),
    ])
    func storageHoldsEachPanelRoundedUpToSixteenColumns(k: Int, n: Int, floats: Int) {
        let b = [Float](repeating: 1, count: k * n)
        let packed = GEMMPackedMatrix(k: k, n: n, b: b, ldb: n, transB: false)
        #expect(packed.storageCount == floats)
    }

    /// The exactly sized panels still give the reference product, on shapes with remainders.
    @Test(arguments: [(17, 49, 5), (784, 100, 9)])
    func productsMatchTheReference(k: Int, n: Int, m: Int) {
        var generator = RandomGenerator(seed: 21)
        let a = (0..<(m * k)).map { _ in generator.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in generator.uniform(-1, 1) }
        let packed = GEMMPackedMatrix(k: k, n: n, b: b, ldb: n, transB: false)
        var got = [Float](repeating: 0, count: m * n)
        var expected = got
        GEMM.multiply(m: m, a: a, lda: k, packed: packed, c: &got, ldc: n)
        GEMM.reference(m: m, n: n, k: k, a: a, lda: k, transA: false, b: b, ldb: n, transB: false, c: &expected, ldc: n)
        for (x, y) in zip(got, expected) { #expect(abs(x - y) <= 1e-4 * max(1, abs(y))) }
    }
}
