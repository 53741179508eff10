import TensorCore
import Testing

@testable import Datasets

@Suite struct BatchSamplerTests {
    @Test func deterministicPerSeedAndEpoch() {
        let sampler = BatchSampler(count: 103, batchSize: 10, seed: 7)
        #expect(sampler.batches(epoch: 3) == BatchSampler(count: 103, batchSize: 10, seed: 7).batches(epoch: 3))
        #expect(sampler.batches(epoch: 3) != sampler.batches(epoch: 4))
        #expect(sampler.batches(epoch: 0) != BatchSampler(count: 103, batchSize: 10, seed: 8).batches(epoch: 0))
    }

    @Test func coversEveryIndexOnce() {
        for dropLast in [false, true] {
            let sampler = BatchSampler(count: 103, batchSize: 10, seed: 1, dropLast: dropLast)
            let batches = sampler.batches(epoch: 2)
            #expect(batches.count == sampler.batchesPerEpoch)
            #expect(batches.count == (dropLast ? 10 : 11))
            let flat = batches.flatMap { $0 }
            #expect(Set(flat).count == flat.count)
            #expect(flat.count == (dropLast ? 100 : 103))
            #expect(batches.dropLast().allSatisfy { $0.count == 10 })
            if !dropLast { #expect(flat.sorted() == Array(0..<103)) }
        }
        #expect(BatchSampler(count: 0, batchSize: 4, seed: 0).batches(epoch: 0).isEmpty)
    }

    @Test func unshuffledKeepsOrder() {
        let batches = BatchSampler(count: 5, batchSize: 2, seed: 0, shuffle: false).batches(epoch: 9)
        #expect(batches == [[0, 1], [2, 3], [4]])
    }

    @Test func gathersContiguousBatches() {
        let data = SyntheticDigits.make(trainCount: 20, testCount: 5, seed: 2)
        let (images, labels) = data.trainBatch([4, 0, 19])
        #expect(labels == [data.trainLabels[4], data.trainLabels[0], data.trainLabels[19]])
        #expect(Array(images[0..<784]) == Array(data.trainImage(4)))
        #expect(Array(images[784..<1568]) == Array(data.trainImage(0)))
        #expect(Array(images[1568...]) == Array(data.trainImage(19)))
        #expect(data.testBatch([]).images.isEmpty)
    }

    /// The tensor form gathers the same values and labels straight into its storage.
    @Test func gathersTheSameBatchIntoATensor() {
        let data = SyntheticDigits.make(trainCount: 20, testCount: 5, seed: 2)
        for indices in [[4, 0, 19], [7], [], Array(0..<20).reversed()] {
            let (images, labels) = data.trainBatchTensor(indices)
            let expected = data.trainBatch(indices)
            #expect(images.shape == [indices.count, 784])
            #expect(images.scalars == expected.images && labels == expected.labels)
        }
    }
}

@Suite struct ImageTransformsTests {
    @Test func gaussianNoise() {
        let images = [Float](repeating: 0.5, count: 10_000)
        var generator = RandomGenerator(seed: 3)
        let noisy = ImageTransforms.addGaussianNoise(images, sigma: 0.1, generator: &generator)
        let mean = noisy.reduce(0, +) / Float(noisy.count)
        let std = (noisy.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(noisy.count)).squareRoot()
        #expect(abs(mean - 0.5) < 0.01 && abs(std - 0.1) < 0.01)
        var again = RandomGenerator(seed: 3)
        #expect(ImageTransforms.addGaussianNoise(images, sigma: 0.1, generator: &again) == noisy)
        let clamped = ImageTransforms.addGaussianNoise(images, sigma: 2, generator: &generator)
        #expect(clamped.allSatisfy { $0 >= 0 && $0 <= 1 })
        let unclamped = ImageTransforms.addGaussianNoise(images, sigma: 2, clamp: false, generator: &generator)
        #expect(unclamped.contains { $0 < 0 || $0 > 1 })
    }

    @Test func triggerStamp() {
        let trigger = ImageTransforms.Trigger.checkerboard(size: 3, imageHeight: 8, imageWidth: 8)
        #expect(trigger.row == 4 && trigger.column == 4)
        var images = [Float](repeating: 0.25, count: 3 * 64)
        ImageTransforms.stampTrigger(&images, trigger: trigger, imageHeight: 8, imageWidth: 8, indices: [1])
        #expect(Array(images[0..<64]) == [Float](repeating: 0.25, count: 64))
        #expect(images[64 + 4 * 8 + 4] == 1 && images[64 + 4 * 8 + 5] == 0 && images[64 + 6 * 8 + 6] == 1)
        #expect(images[64 + 7 * 8 + 7] == 0.25 && images[64 + 3 * 8 + 4] == 0.25)
        // A patch hanging off the edge is clipped.
        let edge = ImageTransforms.Trigger(pattern: [1, 1, 1, 1], height: 2, width: 2, row: 7, column: 7)
        let stamped = ImageTransforms.stampTrigger(
            [Float](repeating: 0, count: 64), trigger: edge, imageHeight: 8, imageWidth: 8)
        #expect(stamped.filter { $0 == 1 }.count == 1 && stamped[63] == 1)
    }
}
