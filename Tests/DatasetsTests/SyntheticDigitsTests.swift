import TensorCore
import Testing

@testable import Datasets

@Suite struct SyntheticDigitsTests {
    @Test func sameSeedSameBytesRegardlessOfThreads() {
        let (serialImages, serialLabels) = SyntheticDigits.render(count: 300, seed: 42, stream: 1, chunkCount: 1)
        for chunks in [3, 7, 64, 300] {
            let (images, labels) = SyntheticDigits.render(count: 300, seed: 42, stream: 1, chunkCount: chunks)
            #expect(images.map(\.bitPattern) == serialImages.map(\.bitPattern), "chunks \(chunks)")
            #expect(labels == serialLabels)
        }
        let a = SyntheticDigits.make(trainCount: 200, testCount: 50, seed: 9)
        let b = SyntheticDigits.make(trainCount: 200, testCount: 50, seed: 9)
        #expect(a.trainImages == b.trainImages && a.testImages == b.testImages && a.trainLabels == b.trainLabels)
        // A prefix of a larger set is the smaller set: image i depends only on (seed, split, i).
        let larger = SyntheticDigits.make(trainCount: 400, testCount: 80, seed: 9).subset(train: 200, test: 50)
        #expect(larger.trainImages == a.trainImages && larger.testLabels == a.testLabels)
    }

    @Test func differentSeedsAndSplitsDiffer() {
        let a = SyntheticDigits.make(trainCount: 100, testCount: 100, seed: 1)
        let b = SyntheticDigits.make(trainCount: 100, testCount: 100, seed: 2)
        #expect(a.trainImages != b.trainImages)
        #expect(a.trainImages != a.testImages)
    }

    @Test func shapeRangeAndLabels() {
        let data = SyntheticDigits.make(trainCount: 2_000, testCount: 100, seed: 5)
        #expect(data.name == "synthetic" && data.classNames == (0..<10).map(String.init))
        #expect(data.imageHeight == 28 && data.imageWidth == 28)
        #expect(data.trainImages.count == 2_000 * 784 && data.testImages.count == 100 * 784)
        #expect(data.trainImages.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite })
        let counts = (0..<10).map { d in data.trainLabels.filter { $0 == d }.count }
        #expect(counts.allSatisfy { $0 > 140 && $0 < 260 }, "\(counts)")
        // Ink covers a plausible share of the image (MNIST's mean pixel is about 0.13).
        let mean = data.trainImages.reduce(0, +) / Float(data.trainImages.count)
        #expect(mean > 0.07 && mean < 0.22, "mean pixel \(mean)")
        // Every image has ink, and none is mostly ink.
        for i in 0..<data.trainCount {
            let ink = data.trainImage(i).filter { $0 > 0.5 }.count
            #expect(ink > 15 && ink < 400, "image \(i) has \(ink) inked pixels")
        }
    }

    @Test func classesDifferAndSamplesVary() {
        // Class means are far apart; samples of one class vary around their mean.
        var means: [[Float]] = []
        for digit in 0..<10 {
            var mean = [Float](repeating: 0, count: 784)
            var samples: [[Float]] = []
            for k in 0..<20 {
                var generator = RandomGenerator(seed: UInt64(1_000 * digit + k))
                let image = SyntheticDigits.render(digit: digit, generator: &generator)
                samples.append(image)
                for i in 0..<784 { mean[i] += image[i] / 20 }
            }
            #expect(Set(samples.map { $0.map(\.bitPattern) }).count == 20, "digit \(digit) repeats an image")
            means.append(mean)
        }
        for a in 0..<10 {
            for b in (a + 1)..<10 {
                let distance = zip(means[a], means[b]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
                #expect(distance > 1, "digits \(a) and \(b) look alike on average (distance \(distance))")
            }
        }
    }
}
