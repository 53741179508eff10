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

    /// Known answers: the columns are cut for the threads by 16-column vectors, each thread's share into
    /// 48-column panels and a last narrower one. n 784 (49 vectors) on 2 threads: 400 + 384 columns, not
    /// the 432 + 352 of whole 48-column panels; n 1024 on 2: 512 + 512; n 3 on 4 threads: one part.
    @Test func columnsAreSplitByVectorsForTheThreads() {
        func layout(n: Int, parts: Int) -> (starts: [Int], parts: [Range<Int>]) {
            let b = [Float](repeating: 1, count: 8 * n)
            let packed = GEMMPackedMatrix(k: 8, n: n, b: b, ldb: n, transB: false, parts: parts)
            return (packed.panelStarts, packed.partPanels)
        }
        let n784 = layout(n: 784, parts: 2)
        #expect(n784.starts == [0, 48, 96, 144, 192, 240, 288, 336, 384, 400, 448, 496, 544, 592, 640, 688, 736, 784])
        #expect(n784.parts == [0..<9, 9..<17])
        let n1024 = layout(n: 1024, parts: 2)
        #expect(n1024.parts.map { n1024.starts[$0.upperBound] - n1024.starts[$0.lowerBound] } == [512, 512])
        #expect(layout(n: 784, parts: 1).starts == Array(stride(from: 0, through: 768, by: 48)) + [784])
        let tiny = layout(n: 3, parts: 4)
        #expect(tiny.starts == [0, 3] && tiny.parts == [0..<1])
    }

    /// Random shapes (one and two depth blocks, one row to several blocks of rows), random layouts and
    /// thread counts: both tile families give bitwise the same product, the same bits as `GEMM.multiply`
    /// on the unpacked operands where it does not take its one- and two-row path, and the reference's
    /// values.
    @Test func bothTileFamiliesAndTheUnpackedProductAgreeBitwise() {
        var rng = RandomGenerator(seed: 2027)
        func below(_ count: Int) -> Int { Int(rng.next() % UInt64(count)) }
        for _ in 0..<12 {
            let (m, k) = (1 + below(150), 1 + below(700))
            let n = [1 + below(300), 16 * (1 + below(20)), 48 * (1 + below(6)) + 16][below(3)]
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            let initial = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
            let packed = GEMMPackedMatrix(k: k, n: n, b: b, ldb: n, transB: false, parts: 1 + below(3))
            let threads = 1 + below(3)
            let label = "\(m)x\(k)x\(n), parts \(packed.parts), threads \(threads)"
            let products = [GEMMTiles.wide, .half].map { tiles in
                var c = initial
                GEMM.multiply(
                    m: m, a: a, lda: k, packed: packed, c: &c, ldc: n, beta: 0.5, threads: threads, tiles: tiles)
                return c
            }
            #expect(zip(products[0], products[1]).filter { $0 != $1 }.isEmpty, "\(label): the families differ")
            var unpacked = initial
            GEMM.multiply(
                m: m, n: n, k: k, a: a, lda: k, transA: false, b: b, ldb: n, transB: false, c: &unpacked, ldc: n,
                beta: 0.5, threads: threads)
            if m > 2 {
                #expect(zip(products[0], unpacked).filter { $0 != $1 }.isEmpty, "\(label): unpacked differs")
            }
            var expected = initial
            GEMM.reference(
                m: m, n: n, k: k, a: a, lda: k, transA: false, b: b, ldb: n, transB: false, c: &expected, ldc: n,
                beta: 0.5)
            let worst = zip(products[0], expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * Float(k) + 1e-5, "\(label): error \(worst)")
        }
    }

    /// A column's sum does not depend on the panel it lands in: the product is bitwise the same whatever
    /// the layout's parts and the threads that run it (more threads than parts, fewer, the same), and
    /// matches the reference, on both tile families. On the half tiles it failed for 3 parts on 2
    /// threads while a thread ran its two parts as one run of panels, a narrow panel in its middle.
    @Test(arguments: [GEMMTiles.wide, .half], [(64, 784, 1024), (64, 1024, 784), (9, 600, 50), (16, 40, 17)])
    func productIsTheSameForEveryLayoutAndThreadCount(tiles: GEMMTiles, shape: (m: Int, k: Int, n: Int)) {
        let (m, k, n) = shape
        var generator = RandomGenerator(seed: 34)
        let a = (0..<(m * k)).map { _ in generator.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in generator.uniform(-1, 1) }
        let initial = (0..<(m * n)).map { _ in generator.uniform(-1, 1) }
        var expected = initial
        GEMM.reference(
            m: m, n: n, k: k, a: a, lda: k, transA: false, b: b, ldb: n, transB: false, c: &expected, ldc: n,
            beta: 1)
        var first: [Float]? = nil
        for parts in [1, 2, 3] {
            let packed = GEMMPackedMatrix(k: k, n: n, b: b, ldb: n, transB: false, parts: parts)
            for threads in [1, 2, 3] {
                var got = initial
                GEMM.multiply(
                    m: m, a: a, lda: k, packed: packed, c: &got, ldc: n, beta: 1, threads: threads, tiles: tiles)
                if let first {
                    let differing = zip(got, first).filter { $0 != $1 }.count
                    #expect(differing == 0, "\(tiles) \(m)x\(k)x\(n), parts \(parts), threads \(threads)")
                } else {
                    first = got
                    let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst < 1e-3, "\(m)x\(k)x\(n): \(worst)")
                }
            }
        }
    }
}
