import Foundation
import Testing

@testable import TensorCore

/// `VectorMath` against libm, `fillGaussian`'s moments, and the pre-packed GEMM against the reference.
@Suite struct VectorMathTests {
    @Test func expLogAndTurnMatchLibm() {
        var rng = RandomGenerator(seed: 3)
        for _ in 0..<200 {
            var x = SIMD16<Float>()
            var positive = SIMD16<Float>()
            var turn = SIMD16<Float>()
            for lane in 0..<16 {
                x[lane] = rng.uniform(-80, 80)
                positive[lane] = Float(Foundation.exp(Double(rng.uniform(-80, 80))))
                turn[lane] = rng.uniform()
            }
            let e = VectorMath.exp(x)
            let l = VectorMath.log(positive)
            let (c, s) = VectorMath.cosSinOfTurn(turn)
            for lane in 0..<16 {
                let expected = Foundation.exp(Double(x[lane]))
                #expect(abs(Double(e[lane]) - expected) <= 4e-7 * expected, "exp(\(x[lane]))")
                #expect(abs(Double(l[lane]) - Foundation.log(Double(positive[lane]))) <= 1e-6 * 80, "log")
                let angle = 2 * Double.pi * Double(turn[lane]) - Double.pi / 4
                #expect(
                    abs(Double(c[lane]) - Foundation.cos(angle)) < 1e-6
                        && abs(Double(s[lane]) - Foundation.sin(angle)) < 1e-6)
            }
        }
        // Clamped, never infinite or NaN.
        let extremes = VectorMath.exp(SIMD16<Float>(repeating: 1000))
        #expect(extremes[0].isFinite && VectorMath.exp(SIMD16<Float>(repeating: -1000))[0] >= 0)
        #expect(abs(VectorMath.silu(SIMD16<Float>(repeating: 2))[0] - Float(2 / (1 + Foundation.exp(-2.0)))) < 1e-6)
    }

    /// `squareRoot` is `vsqrtps` on x86: the same correctly rounded bits as the scalar root, NaN below
    /// zero, and zero, infinity and subnormals kept.
    @Test func squareRootMatchesTheScalarRootBitForBit() {
        var rng = RandomGenerator(seed: 11)
        let specials: [Float] = [
            0, -0.0, 1, 2, 4, .infinity, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            1e-30, 0.5, 3, 1e20, 7, 0.999_999_94, 1.000_000_1,
        ]
        var batches = [SIMD16<Float>(specials)]
        for _ in 0..<100 {
            var x = SIMD16<Float>()
            for lane in 0..<16 { x[lane] = Float(Foundation.exp(Double(rng.uniform(-60, 60)))) }
            batches.append(x)
        }
        for x in batches {
            let root = VectorMath.squareRoot(x)
            for lane in 0..<16 { #expect(root[lane].bitPattern == x[lane].squareRoot().bitPattern, "sqrt(\(x[lane]))") }
        }
        let negative = VectorMath.squareRoot(SIMD16<Float>(repeating: -2))
        #expect((0..<16).allSatisfy { negative[$0].isNaN })
    }

    /// `flushingSubnormals` gives +0 for zeros and subnormals of either sign and keeps every other
    /// value, infinities and NaN included, bit for bit.
    @Test func flushingSubnormalsZeroesExactlyTheSubnormals() {
        let tiny = Float.leastNormalMagnitude
        let flushed: [Float] = [
            0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, tiny.nextDown, -tiny.nextDown, tiny / 3,
            Float(1e-40 as Double),
        ]
        let kept: [Float] = [tiny, -tiny, 1, -2.5, 1e-30, .greatestFiniteMagnitude, .infinity, -.infinity]
        let result = VectorMath.flushingSubnormals(SIMD16<Float>(flushed + kept))
        for lane in 0..<8 { #expect(result[lane].bitPattern == 0, "flush(\(flushed[lane]))") }
        for lane in 0..<8 { #expect(result[8 + lane].bitPattern == kept[lane].bitPattern, "keep(\(kept[lane]))") }
        let nan = VectorMath.flushingSubnormals(SIMD16<Float>(repeating: .nan))
        #expect((0..<16).allSatisfy { nan[$0].isNaN })
        // The one-lane form agrees.
        #expect(flushed.allSatisfy { VectorMath.flushingSubnormals($0).bitPattern == 0 })
        #expect(kept.allSatisfy { VectorMath.flushingSubnormals($0).bitPattern == $0.bitPattern })
        #expect(VectorMath.flushingSubnormals(Float.nan).isNaN)
    }

    /// `log` switches its reduction where the mantissa crosses sqrt(1/2): both sides of that edge, and of
    /// each power of two, within 2 ulp of libm's double result.
    @Test func logIsAccurateOnBothSidesOfItsReductionEdges() {
        let edge = Float(0.707_106_781)
        var values: [Float] = []
        for exponent in [-100, -20, -1, 0, 1, 7, 60] {
            let scale = Float(sign: .plus, exponent: exponent, significand: 1)
            values += [edge.nextDown, edge, edge.nextUp, Float(1).nextDown, 1, Float(1).nextUp, 0.5, 0.75].map {
                $0 * scale
            }
        }
        while values.count % 16 != 0 { values.append(1) }
        for start in stride(from: 0, to: values.count, by: 16) {
            let x = SIMD16<Float>(values[start..<start + 16])
            let l = VectorMath.log(x)
            for lane in 0..<16 {
                let expected = Foundation.log(Double(x[lane]))
                let ulp = Double(Float(expected).ulp)
                #expect(
                    abs(Double(l[lane]) - expected) <= 2 * max(ulp, Double(Float.leastNormalMagnitude)),
                    "log(\(x[lane]))")
            }
        }
    }

    @Test func fillGaussianHasNormalMomentsAndIsReproducible() {
        var rng = RandomGenerator(seed: 5)
        let n = 300_007
        let values = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { values.deallocate() }
        rng.fillGaussian(values, count: n)
        var (sum, squares, fourth, beyond2) = (0.0, 0.0, 0.0, 0)
        for i in 0..<n {
            let v = Double(values[i])
            #expect(v.isFinite)
            sum += v
            squares += v * v
            fourth += v * v * v * v
            if abs(v) > 2 { beyond2 += 1 }
        }
        let mean = sum / Double(n)
        #expect(abs(mean) < 0.01)
        #expect(abs(squares / Double(n) - 1) < 0.01)
        #expect(abs(fourth / Double(n) - 3) < 0.06, "kurtosis")
        // P(|z| > 2) = 0.0455.
        #expect(abs(Double(beyond2) / Double(n) - 0.0455) < 0.002)
        var again = RandomGenerator(seed: 5)
        let copy = UnsafeMutablePointer<Float>.allocate(capacity: 40)
        defer { copy.deallocate() }
        again.fillGaussian(copy, count: 40)
        #expect((0..<40).allSatisfy { copy[$0] == values[$0] })
    }

    /// From `parallelCount` draws on, the words are drawn first and the threads transform them: the
    /// values are those of the one-thread path, which draws 16 words and transforms them in turn (here
    /// in four calls of 511 blocks, each below the threshold, and a last call for a partial block).
    @Test(arguments: [2, 3])
    func fillGaussianGivesTheSameDrawsOnThreads(threads: Int) {
        let (calls, perCall, tail) = (4, 511 * 32, 5)
        let count = calls * perCall + tail
        #expect(perCall < RandomGenerator.parallelCount && count >= 3 * RandomGenerator.parallelCount)
        var together = [Float](repeating: .nan, count: count)
        var apart = together
        var one = RandomGenerator(seed: 77)
        together.withUnsafeMutableBufferPointer { one.fillGaussian($0.baseAddress!, count: count, threads: threads) }
        var other = RandomGenerator(seed: 77)
        apart.withUnsafeMutableBufferPointer { buffer in
            for call in 0..<calls {
                other.fillGaussian(buffer.baseAddress! + call * perCall, count: perCall, threads: threads)
            }
            other.fillGaussian(buffer.baseAddress! + calls * perCall, count: tail, threads: 1)
        }
        #expect(together == apart)
        #expect(one.next() == other.next())
        #expect(Set(together).count > count / 2)
    }

    @Test(arguments: [1, 2])
    func packedMatrixMatchesReference(threads: Int) {
        var rng = RandomGenerator(seed: 8)
        for (m, k, n, transB) in [(64, 784, 1024, true), (5, 1024, 784, true), (70, 600, 50, false), (8, 3, 17, true)] {
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            let initial = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
            let packed = b.withUnsafeBufferPointer {
                GEMMPackedMatrix(k: k, n: n, b: $0.baseAddress!, ldb: transB ? k : n, transB: transB)
            }
            for beta: Float in [0, 1] {
                var got = initial
                var expected = initial
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        GEMM.multiply(
                            m: m, a: ap.baseAddress!, lda: k, packed: packed, c: &got, ldc: n, beta: beta,
                            threads: threads)
                        GEMM.reference(
                            m: m, n: n, k: k, a: ap.baseAddress!, lda: k, transA: false, b: bp.baseAddress!,
                            ldb: transB ? k : n, transB: transB, c: &expected, ldc: n, beta: beta)
                    }
                }
                let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst < 1e-3, "\(m)x\(k)x\(n) beta \(beta): \(worst)")
            }
        }
    }
}
