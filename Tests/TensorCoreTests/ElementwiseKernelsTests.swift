import Testing

@testable import TensorCore

/// The raw-buffer kernels that have no tensor op of their own to be tested through.
@Suite struct ElementwiseKernelsTests {
    /// Every length from 0 to 70 (each branch of the overlapping stores, and whole and partial
    /// 16-lane blocks), at every alignment: exactly `count` zeros, the floats around them untouched.
    @Test func zeroWritesExactlyTheRun() {
        let capacity = 90
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        for offset in 0..<4 {
            for count in 0...70 {
                buffer.update(repeating: 7, count: capacity)
                ElementwiseKernels.zero(buffer + 8 + offset, count: count)
                for i in 0..<capacity {
                    let inside = (8 + offset..<8 + offset + count).contains(i)
                    #expect(buffer[i] == (inside ? 0 : 7), "count \(count), offset \(offset), element \(i)")
                }
            }
        }
    }

    /// `dot` against a double-precision sum, for lengths on both sides of its 32-float blocks.
    @Test func dotMatchesADoubleSum() {
        var rng = RandomGenerator(seed: 2)
        for n in [0, 1, 15, 31, 32, 33, 64, 100, 128, 1000] {
            // One spare float, so that even n = 0 has a buffer to point at.
            let x = (0...n).map { _ in rng.uniform(-1, 1) }
            let y = (0...n).map { _ in rng.uniform(-1, 1) }
            let expected = (0..<n).reduce(0.0) { $0 + Double(x[$1]) * Double(y[$1]) }
            let result = ElementwiseKernels.dot(x, y, n)
            #expect(abs(Double(result) - expected) <= 1e-5 * Double(max(n, 1)), "n \(n)")
        }
    }
}
