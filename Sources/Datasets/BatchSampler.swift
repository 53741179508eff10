import TensorCore

/// Splits `0..<count` into mini-batches of indices, reshuffled every epoch.
///
/// The order of an epoch depends only on `(seed, epoch)`, so a resumed run reproduces the epoch it
/// stopped in without replaying the ones before it.
public struct BatchSampler: Sendable {
    public let count: Int
    public let batchSize: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// Whether a final batch smaller than `batchSize` is left out.
    public let dropLast: Bool

    /// - Parameters:
    ///   - count: the number of examples (at least 0).
    ///   - batchSize: examples per batch (at least 1).
    ///   - seed: seeds the shuffles.
    ///   - shuffle: false keeps the order `0, 1, 2, ...` (evaluation).
    ///   - dropLast: leave out a final partial batch (training with batch statistics).
    public init(count: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true, dropLast: Bool = false) {
        precondition(count >= 0, "count must not be negative")
        precondition(batchSize >= 1, "batchSize must be positive")
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
    }

    /// The number of batches in each epoch.
    public var batchesPerEpoch: Int {
        dropLast ? count / batchSize : (count + batchSize - 1) / batchSize
    }

    /// The order of examples in `epoch` (a permutation of `0..<count`).
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<count) }
        // Mix the epoch into the seed (SplitMix64 inside RandomGenerator spreads nearby seeds apart).
        var generator = RandomGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
        return generator.permutation(count)
    }

    /// The batches of `epoch`, each a list of example indices.
    public func batches(epoch: Int) -> [[Int]] {
        let order = order(epoch: epoch)
        return (0..<batchesPerEpoch).map { b in
            Array(order[(b * batchSize)..<min((b + 1) * batchSize, count)])
        }
    }

    /// Copies the images and labels at `indices` into contiguous arrays.
    /// - Returns: images `[indices.count, pixelCount]` row-major and their labels.
    public static func gather(_ indices: [Int], images: [Float], labels: [Int], pixelCount: Int) -> (
        images: [Float], labels: [Int]
    ) {
        var batch = [Float](repeating: 0, count: indices.count * pixelCount)
        batch.withUnsafeMutableBufferPointer { out in
            gather(indices, images: images, pixelCount: pixelCount, into: out.baseAddress!)
        }
        return (batch, indices.map { labels[$0] })
    }

    /// The images at `indices`, one after another, into `out` (room for `indices.count * pixelCount`).
    static func gather(_ indices: [Int], images: [Float], pixelCount: Int, into out: UnsafeMutablePointer<Float>) {
        images.withUnsafeBufferPointer { source in
            for (row, index) in indices.enumerated() {
                precondition(index >= 0 && (index + 1) * pixelCount <= source.count, "index \(index) out of range")
                (out + row * pixelCount).update(from: source.baseAddress! + index * pixelCount, count: pixelCount)
            }
        }
    }
}

extension Dataset {
    /// The training images and labels at `indices`, contiguous.
    public func trainBatch(_ indices: [Int]) -> (images: [Float], labels: [Int]) {
        BatchSampler.gather(indices, images: trainImages, labels: trainLabels, pixelCount: pixelCount)
    }

    /// The training images at `indices` as one `[indices.count, pixelCount]` tensor, gathered straight
    /// into its storage, and their labels: the values of `trainBatch`, in one pass over the batch where
    /// the array and then the tensor made from it took three (a zero fill, the gather and a copy).
    public func trainBatchTensor(_ indices: [Int]) -> (images: Tensor, labels: [Int]) {
        let storage = TensorStorage(uninitializedCount: indices.count * pixelCount)
        BatchSampler.gather(indices, images: trainImages, pixelCount: pixelCount, into: storage.pointer)
        return (Tensor(shape: [indices.count, pixelCount], storage: storage), indices.map { trainLabels[$0] })
    }

    /// The test images and labels at `indices`, contiguous.
    public func testBatch(_ indices: [Int]) -> (images: [Float], labels: [Int]) {
        BatchSampler.gather(indices, images: testImages, labels: testLabels, pixelCount: pixelCount)
    }
}
