import Testing
@testable import TensorCore

@Suite struct RandomGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = RandomGenerator(seed: 42)
        var b = RandomGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
        var c = RandomGenerator(seed: 43)
        var d = RandomGenerator(seed: 42)
        #expect((0..<10).map { _ in c.next() } != (0..<10).map { _ in d.next() })
    }

    @Test func gaussianMoments() {
        var rng = RandomGenerator(seed: 7)
        let n = 200_000
        var sum = 0.0
        var sumSquares = 0.0
        for _ in 0..<n {
            let g = Double(rng.gaussian())
            sum += g
            sumSquares += g * g
        }
        let mean = sum / Double(n)
        let variance = sumSquares / Double(n) - mean * mean
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test func uniformRangeAndPermutation() {
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<10_000 {
            let u = rng.uniform()
            #expect(u >= 0 && u < 1)
        }
        let p = rng.permutation(100)
        #expect(p.sorted() == Array(0..<100))
        #expect(p != Array(0..<100))
    }
}
