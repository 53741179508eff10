import Testing

@testable import TensorCore

/// Whatever `GEMMPlan` and `GEMMBlocking` choose (tile family, loop order, A and B in place or packed,
/// blocks of rows and columns, slices, threads), a product with the same depth blocks sums every element
/// in the same order: random shapes under random blockings give bitwise the same C, which matches the
/// reference. A plan that packs B one way and reads it another (as the 32 + 32 cut once did for the half
/// tiles' sweep) fails here whichever CPU runs the tests.
@Suite struct GEMMBlockingPropertyTests {
    @Test func everyBlockingGivesTheSameBits() {
        var rng = RandomGenerator(seed: 2026)
        func below(_ count: Int) -> Int { Int(rng.next() % UInt64(count)) }
        func pick<T>(_ options: [T]) -> T { options[below(options.count)] }
        for shape in 0..<24 {
            let m = 24 + below(127)
            // Widths at the panels' edges two times in three: multiples of 16, or a last 16 after 48s.
            let n = pick([1 + below(260), 16 * (1 + below(16)), 48 * (1 + below(5)) + 16])
            let k = 1 + below(140)
            let (transA, transB) = (below(2) == 0, below(2) == 0)
            let lda = (transA ? m : k) + below(4)
            let ldb = (transB ? k : n) + below(4)
            let ldc = n + below(4)
            let kc = pick([16, 40, 512])
            let a = (0..<((transA ? k : m) * lda)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<((transB ? n : k) * ldb)).map { _ in rng.uniform(-1, 1) }
            let c0 = (0..<(m * ldc)).map { _ in rng.uniform(-1, 1) }
            /// C after `body` ran on A, B and a copy of the starting C.
            func computed(
                _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void
            ) -> [Float] {
                var c = c0
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in body(a.baseAddress!, b.baseAddress!, c.baseAddress!) }
                    }
                }
                return c
            }
            func product(_ blocking: GEMMBlocking, threads: Int) -> [Float] {
                computed { a, b, c in
                    GEMM.multiply(
                        m: m, n: n, k: k, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB, c: c,
                        ldc: ldc, alpha: 1.5, beta: 0.5, threads: threads, blocking: blocking)
                }
            }
            let expected = computed { a, b, c in
                GEMM.reference(
                    m: m, n: n, k: k, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc,
                    alpha: 1.5, beta: 0.5)
            }
            var first: [Float]? = nil
            var described = ""
            for _ in 0..<10 {
                let blocking = GEMMBlocking(
                    kc: kc, nc: pick([32, 48, 64, 112, 160, 768]), inPlaceA: pick([nil, true, false]),
                    tiles: pick([.wide, .half]), mcHalf: pick([8, 16, 24, 128]), halfSlice: pick([8, 24, 128]),
                    inPlaceB: pick([nil, true, false]), packBPerPanel: pick([nil, true, false]),
                    sweep: pick([nil, true, false]), serialFlops: 0)
                let threads = pick([1, 2])
                let c = product(blocking, threads: threads)
                let label =
                    "shape \(shape): \(m)x\(n)x\(k) transA \(transA) transB \(transB), \(blocking), threads \(threads)"
                if let first {
                    let differing = zip(c, first).filter { $0 != $1 }.count
                    #expect(differing == 0, "\(label): \(differing) elements differ from \(described)")
                } else {
                    var worst: Float = 0
                    for i in 0..<m {
                        for j in 0..<n { worst = max(worst, abs(c[i * ldc + j] - expected[i * ldc + j])) }
                    }
                    #expect(worst <= 1e-5 * Float(k) * 1.5 + 1e-5, "\(label): error \(worst)")
                    first = c
                    described = label
                }
            }
        }
    }
}
