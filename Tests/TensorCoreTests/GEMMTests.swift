import Dispatch
import Testing

@testable import TensorCore

/// Fast GEMM against the triple-loop reference on odd shapes, every transpose combination,
/// padded leading dimensions, alpha/beta and thread counts.
@Suite struct GEMMTests {
    /// One product checked against `GEMM.reference`; leading dimensions are padded by `pad`.
    func check(
        m: Int, n: Int, k: Int, transA: Bool, transB: Bool, pad: Int = 0,
        alpha: Float = 1, beta: Float = 0, threads: Int = 1, nanInC: Bool = false,
        blocking: GEMMBlocking = GEMMBlocking(), seed: UInt64 = 1,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var rng = RandomGenerator(seed: seed)
        let lda = (transA ? m : k) + pad
        let ldb = (transB ? k : n) + pad
        let ldc = n + pad
        let a = (0..<max(1, (transA ? k : m) * lda)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<max(1, (transB ? n : k) * ldb)).map { _ in rng.uniform(-1, 1) }
        let c0 = (0..<max(1, m * ldc)).map { _ in nanInC ? Float.nan : rng.uniform(-1, 1) }
        var fast = c0
        var slow = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(
                        m: m, n: n, k: k, a: a.baseAddress!, lda: lda, transA: transA,
                        b: b.baseAddress!, ldb: ldb, transB: transB, c: c.baseAddress!, ldc: ldc,
                        alpha: alpha, beta: beta, threads: threads, blocking: blocking)
                }
                slow.withUnsafeMutableBufferPointer { c in
                    GEMM.reference(
                        m: m, n: n, k: k, a: a.baseAddress!, lda: lda, transA: transA,
                        b: b.baseAddress!, ldb: ldb, transB: transB, c: c.baseAddress!, ldc: ldc,
                        alpha: alpha, beta: beta)
                }
            }
        }
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<n {
                let e = abs(fast[i * ldc + j] - slow[i * ldc + j])
                worst = e.isNaN ? .infinity : max(worst, e)
            }
            // Padding columns of C are never written.
            for j in n..<ldc where !(fast[i * ldc + j].isNaN && c0[i * ldc + j].isNaN) {
                #expect(fast[i * ldc + j] == c0[i * ldc + j], sourceLocation: sourceLocation)
            }
        }
        let tolerance = 1e-5 * Float(max(k, 1)) * max(1, abs(alpha)) + 1e-5
        #expect(
            worst <= tolerance,
            "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) pad \(pad) threads \(threads): error \(worst)",
            sourceLocation: sourceLocation)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func oddShapes(transA: Bool, transB: Bool) {
        // Remainders of the 8-row tile, the 16/32/48-column panels, and small/large depths.
        for (m, n, k) in [
            (1, 1, 1), (1, 1, 17), (7, 17, 7), (8, 16, 8), (9, 33, 5), (17, 47, 31), (16, 48, 64),
            (23, 49, 3), (15, 95, 100), (33, 113, 1), (1, 130, 9), (130, 1, 9), (64, 100, 300),
        ] {
            check(m: m, n: n, k: k, transA: transA, transB: transB)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func leadingDimensionsAlphaBetaThreads(transA: Bool, transB: Bool) {
        check(m: 13, n: 37, k: 19, transA: transA, transB: transB, pad: 5, alpha: 0.5, beta: -2)
        check(
            m: 40, n: 70, k: 33, transA: transA, transB: transB, pad: 3, alpha: 2, beta: 1, threads: 2)
        check(m: 9, n: 18, k: 27, transA: transA, transB: transB, pad: 1, beta: 0, nanInC: true)
        check(
            m: 200, n: 150, k: 90, transA: transA, transB: transB, pad: 7, alpha: 1.5, beta: 0.25,
            threads: 2)
        check(m: 130, n: 260, k: 70, transA: transA, transB: transB, beta: 0, threads: 3, nanInC: true)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func fewRows(transA: Bool, transB: Bool) {
        // One or two rows take the vector-matrix path (64-column blocks plus tails), 3 to 7 a
        // zero-padded micro-panel.
        for m in [1, 2, 3, 7] {
            check(m: m, n: 150, k: 45, transA: transA, transB: transB, pad: 3, alpha: 0.5, beta: 2)
            check(m: m, n: 64, k: 33, transA: transA, transB: transB, beta: 0, nanInC: true)
        }
        check(m: 2, n: 700, k: 300, transA: transA, transB: transB, threads: 2, blocking: GEMMBlocking(serialFlops: 0))
    }

    @Test(arguments: [false, true])
    func packedAndInPlaceA(inPlace: Bool) {
        // Both ways of feeding A to the micro-kernel, whatever the width of C.
        let blocking = GEMMBlocking(inPlaceA: inPlace)
        for transB in [false, true] {
            for (m, n, k) in [(8, 16, 3), (17, 47, 31), (23, 130, 65), (64, 300, 20), (9, 7, 1)] {
                check(m: m, n: n, k: k, transA: false, transB: transB, pad: 3, alpha: 2, beta: 0.5, blocking: blocking)
            }
            check(
                m: 45, n: 100, k: 70, transA: false, transB: transB, beta: 0, threads: 2, nanInC: true,
                blocking: GEMMBlocking(kc: 16, nc: 32, inPlaceA: inPlace, serialFlops: 0))
        }
    }

    /// `check` twice under `blocking`: accumulating into C (`alpha`, beta 0.5, padded) on one thread, and
    /// overwriting a C full of NaN (beta 0) on two.
    func checkAccumulatingAndOverwriting(
        m: Int, n: Int, k: Int, transA: Bool, transB: Bool, pad: Int, alpha: Float, blocking: GEMMBlocking,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        check(
            m: m, n: n, k: k, transA: transA, transB: transB, pad: pad, alpha: alpha, beta: 0.5, blocking: blocking,
            sourceLocation: sourceLocation)
        check(
            m: m, n: n, k: k, transA: transA, transB: transB, beta: 0, threads: 2, nanInC: true, blocking: blocking,
            sourceLocation: sourceLocation)
    }

    @Test func blockingEdgesAcrossDepthAndColumnBlocks() {
        // Small blocks force several k blocks (beta applied once) and several column blocks.
        let blocking = GEMMBlocking(kc: 16, nc: 32, serialFlops: 0)
        for (transA, transB) in [(false, false), (true, true)] {
            checkAccumulatingAndOverwriting(
                m: 21, n: 75, k: 50, transA: transA, transB: transB, pad: 2, alpha: 3, blocking: blocking)
        }
    }

    /// Both micro-kernel families (wide SIMD16 tiles, half tiles of 4 rows in SIMD8) on every tile width
    /// (16, 32, 48 columns and the edges), packed and in-place A, several depth blocks, alpha and beta,
    /// whichever this CPU would pick.
    @Test(arguments: [GEMMTiles.wide, .half])
    func bothTileFamilies(tiles: GEMMTiles) {
        for inPlace in [false, true] {
            for (m, n, k) in [(8, 16, 5), (16, 32, 40), (8, 48, 9), (17, 47, 31), (24, 96, 130), (9, 7, 1)] {
                for (transA, transB) in [(false, false), (true, true), (false, true)] {
                    check(
                        m: m, n: n, k: k, transA: transA, transB: transB, pad: 1, alpha: 2, beta: 0.5,
                        blocking: GEMMBlocking(kc: 16, nc: 64, inPlaceA: inPlace, tiles: tiles, serialFlops: 0))
                }
            }
            check(
                m: 45, n: 100, k: 70, transA: false, transB: false, beta: 0, threads: 2, nanInC: true,
                blocking: GEMMBlocking(inPlaceA: inPlace, tiles: tiles, serialFlops: 0))
        }
    }

    /// `1.5 A B + 0.25 C` for row-major A [m, k], B [k, n] and C filled with 0.5, under `blocking`.
    func product(m: Int, n: Int, k: Int, a: [Float], b: [Float], threads: Int, blocking: GEMMBlocking) -> [Float] {
        var c = [Float](repeating: 0.5, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(
                        m: m, n: n, k: k, a: a.baseAddress!, lda: k, transA: false, b: b.baseAddress!, ldb: n,
                        transB: false, c: c.baseAddress!, ldc: n, alpha: 1.5, beta: 0.25, threads: threads,
                        blocking: blocking)
                }
            }
        }
        return c
    }

    /// The two tile families sum every element in the same order, the wide ones in either loop order:
    /// bitwise equal products, so a run's figures do not depend on the kind of CPU (k 700 spans two
    /// depth blocks and several slices).
    @Test func tileFamiliesAgreeBitwise() {
        var rng = RandomGenerator(seed: 5)
        for (m, n, k, inPlace) in [(37, 150, 700, false), (64, 100, 300, true), (9, 48, 129, false)] {
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            let results = [(GEMMTiles.wide, false), (.wide, true), (.half, true)].map { tiles, sweep in
                product(
                    m: m, n: n, k: k, a: a, b: b, threads: 1,
                    blocking: GEMMBlocking(inPlaceA: inPlace, tiles: tiles, sweep: sweep))
            }
            #expect(results.allSatisfy { $0 == results[0] }, "\(m)x\(n)x\(k)")
        }
    }

    /// The sweep (`GEMMSweep`) of either tile family over row blocks and depth slices of several sizes:
    /// several blocks of rows with a partial last tile, slices that do not divide the depth, packed,
    /// in-place and transposed A, B packed as a block, packed a panel at a time and in place (its ragged
    /// last panel packed), two threads; right against the reference and bitwise equal to the wide tiles
    /// in their own order.
    @Test(arguments: [GEMMTiles.wide, .half], [(8, 5), (16, 7), (24, 128), (64, 1)])
    func sweepBlocksAndSlices(tiles: GEMMTiles, sizes: (mcHalf: Int, halfSlice: Int)) {
        let (mcHalf, halfSlice) = sizes
        for inPlace in [false, true] {
            for (inPlaceB, perPanel) in [(false, false), (false, true), (true, false)] {
                for (transA, transB) in [(false, false), (true, true), (false, true), (true, false)] {
                    let swept = GEMMBlocking(
                        kc: 40, nc: 64, inPlaceA: inPlace, tiles: tiles, mcHalf: mcHalf, halfSlice: halfSlice,
                        inPlaceB: inPlaceB, packBPerPanel: perPanel, sweep: true, serialFlops: 0)
                    checkAccumulatingAndOverwriting(
                        m: 37, n: 100, k: 70, transA: transA, transB: transB, pad: 1, alpha: 2, blocking: swept)
                }
            }
        }
        var rng = RandomGenerator(seed: 9)
        let (m, n, k) = (45, 120, 90)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let modes = [
            (false, false, false), (false, true, false), (true, false, false), (true, true, false),
            (true, false, true),
        ]
        let results = modes.map { sweep, inPlaceB, perPanel in
            product(
                m: m, n: n, k: k, a: a, b: b, threads: 2,
                blocking: GEMMBlocking(
                    kc: 64, nc: 64, tiles: sweep ? tiles : .wide, mcHalf: mcHalf, halfSlice: halfSlice,
                    inPlaceB: inPlaceB, packBPerPanel: perPanel, sweep: sweep, serialFlops: 0))
        }
        #expect(results.allSatisfy { $0 == results[0] })
    }

    /// The wide tiles with B read in place, A packed or read in place too: a ragged last panel (packed), a
    /// partial last row tile, transposed A, accumulating and overwriting, one thread and two; right
    /// against the reference and bitwise equal to B packed, in either loop order.
    @Test func wideTilesReadBInPlace() {
        for (transA, inPlaceA) in [(false, false), (true, false), (false, nil)] as [(Bool, Bool?)] {
            let wide = GEMMBlocking(
                kc: 40, nc: 64, inPlaceA: inPlaceA, tiles: .wide, inPlaceB: true, serialFlops: 0)
            checkAccumulatingAndOverwriting(
                m: 37, n: 100, k: 70, transA: transA, transB: false, pad: 1, alpha: 2, blocking: wide)
        }
        var rng = RandomGenerator(seed: 10)
        let (m, n, k) = (45, 120, 90)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        for threads in [1, 2] {
            let modes: [(Bool?, Bool, Bool?)] = [
                (false, false, false), (false, false, true), (false, true, nil), (nil, true, nil),
            ]
            let results = modes.map { inPlaceA, inPlaceB, sweep in
                product(
                    m: m, n: n, k: k, a: a, b: b, threads: threads,
                    blocking: GEMMBlocking(
                        kc: 64, nc: 64, inPlaceA: inPlaceA, tiles: .wide, inPlaceB: inPlaceB, sweep: sweep,
                        serialFlops: 0))
            }
            #expect(results.allSatisfy { $0 == results[0] }, "threads \(threads)")
        }
    }

    /// A block's last 64 columns after a full panel run as two 32-column panels (`panelColumns`), a block
    /// only 64 wide as 48 + 16: right against the reference with B packed and in place, A packed and in
    /// place, a partial row tile, transposes, blocks of columns that end in 64, and bitwise equal to the
    /// sweep, which keeps 48 + 16 (also where it reads B packed as a block, for either tile family).
    @Test func lastSixtyFourColumnsRunAsTwoPanels() {
        #expect(GEMMProblem.panelColumns(remaining: 64, first: false, sweep: false) == 32)
        #expect(GEMMProblem.panelColumns(remaining: 64, first: true, sweep: false) == 48)
        #expect(GEMMProblem.panelColumns(remaining: 64, first: false, sweep: true) == 48)
        #expect(GEMMProblem.panelColumns(remaining: 112, first: false, sweep: false) == 48)
        #expect(GEMMProblem.panelColumns(remaining: 32, first: false, sweep: false) == 32)
        #expect(GEMMProblem.panelColumns(remaining: 20, first: false, sweep: false) == 20)
        for inPlaceA in [false, true] {
            for inPlaceB in [false, true] {
                for (transA, transB) in [(false, false), (true, true)] where !(inPlaceB && transB) {
                    // nc 112: n 224 runs as two blocks of 112 = 48 + 32 + 32.
                    let blocking = GEMMBlocking(
                        kc: 40, nc: 112, inPlaceA: inPlaceA, tiles: .wide, inPlaceB: inPlaceB, sweep: false,
                        serialFlops: 0)
                    for n in [112, 224, 64] {
                        checkAccumulatingAndOverwriting(
                            m: 21, n: n, k: 70, transA: transA, transB: transB, pad: 1, alpha: 2, blocking: blocking)
                    }
                }
            }
        }
        // The sweep keeps 48 + 16 where it reads B packed as a block (several blocks of rows), for either
        // tile family: the packing must cut the block as the sweep reads it.
        for tiles in [GEMMTiles.wide, .half] {
            for inPlaceA in [false, true] {
                let swept = GEMMBlocking(
                    kc: 40, nc: 112, inPlaceA: inPlaceA, tiles: tiles, mcHalf: 8, sweep: true, serialFlops: 0)
                for n in [112, 224] {
                    checkAccumulatingAndOverwriting(
                        m: 21, n: n, k: 70, transA: false, transB: false, pad: 1, alpha: 2, blocking: swept)
                }
            }
        }
        var rng = RandomGenerator(seed: 11)
        let (m, n, k) = (37, 400, 90)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let modes: [(GEMMTiles, Bool, Bool, Int)] = [
            (.wide, false, false, 128), (.wide, true, false, 128), (.wide, false, true, 128),
            (.wide, false, true, 8), (.half, false, true, 8), (.half, false, true, 128),
        ]
        let results = modes.map { tiles, inPlaceB, sweep, mcHalf in
            product(
                m: m, n: n, k: k, a: a, b: b, threads: 2,
                blocking: GEMMBlocking(
                    tiles: tiles, mcHalf: mcHalf, inPlaceB: inPlaceB, sweep: sweep, serialFlops: 0))
        }
        #expect(results.allSatisfy { $0 == results[0] })
    }

    @Test func degenerateSizes() {
        // k == 0: C = beta * C; beta == 0 clears NaN.
        check(m: 5, n: 7, k: 0, transA: false, transB: false, beta: 0, nanInC: true)
        check(m: 5, n: 7, k: 0, transA: true, transB: true, alpha: 2, beta: 3)
        check(m: 0, n: 7, k: 3, transA: false, transB: false)
        check(m: 4, n: 0, k: 3, transA: false, transB: true)
        check(m: 6, n: 20, k: 9, transA: false, transB: false, alpha: 0, beta: 0, nanInC: true)
    }

    @Test func threadGridCoversWork() {
        #expect(GEMM.threadGrid(threads: 1, m: 100, n: 100, k: 100) == (1, 1))
        let tall = GEMM.threadGrid(threads: 2, m: 784, n: 400, k: 128)
        #expect(tall.rows * tall.cols == 2)
        let tiny = GEMM.threadGrid(threads: 8, m: 1, n: 16, k: 4)
        #expect(tiny == (1, 1))
    }
}

@Suite struct ComputeThreadsTests {
    @Test func defaultsToProcessorsAndClampsToOne() {
        let original = ComputeThreads.count
        #expect(original >= 1)
        ComputeThreads.count = 0
        #expect(ComputeThreads.count == 1)
        ComputeThreads.count = 3
        #expect(ComputeThreads.count == 3)
        ComputeThreads.count = original
    }
}

@Suite struct ComputePoolTests {
    /// Many short jobs back to back: every index runs exactly once per job.
    @Test func everyIndexRunsOnce() {
        let pool = ComputePool.shared
        for job in 0..<2000 {
            let iterations = 1 + job % 9
            let hits = Hits(iterations)
            pool.run(iterations: iterations, threads: 2 + job % 3) { index in hits.slots[index] += 1 }
            #expect((0..<iterations).allSatisfy { hits.slots[$0] == 1 })
        }
    }

    /// One slot per index: a correct pool writes each slot from exactly one thread (Thread
    /// Sanitizer would report a second writer).
    final class Hits: @unchecked Sendable {
        let slots: UnsafeMutablePointer<Int>
        init(_ count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: 0, count: count)
        }
        deinit { slots.deallocate() }
    }

    /// Callers on several threads at once (the pool serves one; the others fall back).
    @Test func concurrentCallersGetCorrectProducts() {
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            GEMMTests().check(
                m: 40 + caller, n: 90, k: 70, transA: caller % 2 == 0, transB: caller >= 2, beta: 0.5, threads: 2,
                blocking: GEMMBlocking(serialFlops: 0), seed: UInt64(caller))
        }
    }
}
