import Foundation

/// A seedable xoshiro256** generator (Blackman & Vigna 2018) with Gaussian draws by Box-Muller.
///
/// Every random choice in Manifold takes one of these, so a seed reproduces a run exactly.
/// Foundation's randomness is never used.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    private var spareGaussian: Float?

    /// Seeds the four state words from `seed` through SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform float in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform float in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// A uniform integer in 0..<bound (bound > 0), without modulo bias.
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(next(upperBound: UInt64(bound)))
    }

    /// A standard normal draw (Box-Muller; the second value of each pair is kept for the next call).
    public mutating func gaussian() -> Float {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareGaussian = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// Fills `count` floats with standard normal draws, 32 at a time: Box-Muller (1958) in single
    /// precision on 16 lanes (`VectorMath`), each 64-bit output giving both uniforms of a pair
    /// (32 bits for the radius, so |z| reaches 6.8, and 24 for the angle). About 30 times faster
    /// than `gaussian()`, which costs a double `log`, `sin` and `cos` per pair; a different stream
    /// from it, but the same seed and the same sequence of counts give the same values.
    ///
    /// From `parallelCount` draws on, the words are drawn first, in order, and the compute threads
    /// transform them (`ParallelSplit`): the same values, while the transform (most of the time) runs
    /// on every thread. DDPM sampling draws 64 x 784 of them between two network passes.
    public mutating func fillGaussian(
        _ out: UnsafeMutablePointer<Float>, count: Int, threads: Int = ComputeThreads.count
    ) {
        guard count > 0 else { return }
        let blocks = (count + 31) / 32
        if count < Self.parallelCount || threads < 2 {
            // The 16 words go through memory once: assigning `words[lane]` stored and reloaded the whole
            // vector for every lane (half of the draw's time).
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 16) { scratch in
                for block in 0..<blocks {
                    for lane in 0..<16 { scratch[lane] = next() }
                    Self.gaussianBlock(
                        words: scratch.baseAddress!, into: out + block * 32, count: min(32, count - block * 32))
                }
            }
            return
        }
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: blocks * 16)
        defer { words.deallocate() }
        for index in 0..<(blocks * 16) { words[index] = next() }
        let job = GaussianTransform(words: words, out: out, count: count)
        ParallelSplit.ranges(count: blocks, minimumPerThread: Self.parallelCount / 64, threads: threads) { range in
            for block in range {
                Self.gaussianBlock(
                    words: job.words + block * 16, into: job.out + block * 32, count: min(32, job.count - block * 32))
            }
        }
    }

    /// Draws from which `fillGaussian` transforms its words on the compute threads.
    static let parallelCount = 16_384

    /// Box-Muller on 16 words: the first `count` (at most 32) of their 32 normal draws into `out`.
    @inline(__always)
    private static func gaussianBlock(words: UnsafePointer<UInt64>, into out: UnsafeMutablePointer<Float>, count: Int) {
        let words = UnsafeRawPointer(words).loadUnaligned(as: SIMD16<UInt64>.self)
        let u1 = Vector16(SIMD16<UInt32>(truncatingIfNeeded: words)) * 0x1p-32 + 0x1p-33
        let u2 = Vector16(SIMD16<UInt32>(truncatingIfNeeded: words &>> 40)) * 0x1p-24
        let radius = VectorMath.squareRoot(-2 * VectorMath.log(u1))
        let (c, s) = VectorMath.cosSinOfTurn(u2)
        let (first, second) = (radius * c, radius * s)
        if count >= 32 {
            UnsafeMutableRawPointer(out).storeBytes(of: first, as: Vector16.self)
            UnsafeMutableRawPointer(out + 16).storeBytes(of: second, as: Vector16.self)
        } else {
            for i in 0..<min(16, count) { out[i] = first[i] }
            for i in 0..<max(0, min(16, count - 16)) { out[16 + i] = second[i] }
        }
    }

    private typealias Vector16 = SIMD16<Float>

    /// Fisher-Yates shuffle of `array` in place.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = index(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A random permutation of 0..<count.
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        shuffle(&p)
        return p
    }
}

/// The operands of `fillGaussian`'s parallel transform. `@unchecked Sendable`: the threads read the
/// words and write disjoint blocks of the output.
private struct GaussianTransform: @unchecked Sendable {
    let words: UnsafeMutablePointer<UInt64>
    let out: UnsafeMutablePointer<Float>
    let count: Int
}
