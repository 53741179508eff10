extension RandomGenerator {
    /// `seed` mixed with a hash (FNV-1a) of an image's pixel bit patterns: a generator seeded with it draws
    /// the same numbers for the image whichever batch, position or subset it is in (the random starts and
    /// searches of the attacks, a purifier's per-image noise).
    public static func imageSeed(_ seed: UInt64, _ image: UnsafeBufferPointer<Float>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in image {
            hash ^= UInt64(value.bitPattern)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return seed ^ hash
    }

    /// One generator per row of the `rows x pixels` images at `images`, each seeded by `imageSeed`.
    public static func perImage(_ seed: UInt64, images: UnsafePointer<Float>, rows: Int, pixels: Int)
        -> [RandomGenerator]
    {
        (0..<rows).map { row in
            RandomGenerator(seed: imageSeed(seed, UnsafeBufferPointer(start: images + row * pixels, count: pixels)))
        }
    }
}
