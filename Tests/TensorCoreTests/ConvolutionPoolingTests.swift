import Testing

@testable import TensorCore

/// `conv2dMaxPool` is `conv2d` then `maxPool2d(kernel: 2)`, bit for bit: the values and the input's,
/// weight's and bias's gradients, for one-image groups (28x28 outputs), groups of several images (14x14
/// and 7x7, where a last odd row and column are dropped), batches split over the threads, strides,
/// 5x5 and 1x1 kernels, no bias, ties and NaN.
@Suite struct ConvolutionPoolingTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let batch, channels, outChannels, side, kernel, stride, padding: Int
        var bias = true
        var testDescription: String {
            "\(batch)x\(channels)x\(side)^2 -> \(outChannels), \(kernel)x\(kernel) s\(stride) p\(padding)\(bias ? "" : " no bias")"
        }
    }

    static let shapes: [Shape] = [
        Shape(batch: 3, channels: 1, outChannels: 32, side: 28, kernel: 3, stride: 1, padding: 1),
        Shape(batch: 16, channels: 8, outChannels: 16, side: 28, kernel: 3, stride: 1, padding: 1),
        Shape(batch: 20, channels: 32, outChannels: 64, side: 14, kernel: 3, stride: 1, padding: 1),
        Shape(batch: 5, channels: 6, outChannels: 10, side: 7, kernel: 3, stride: 1, padding: 1, bias: false),
        Shape(batch: 4, channels: 3, outChannels: 8, side: 15, kernel: 5, stride: 1, padding: 2),
        Shape(batch: 2, channels: 4, outChannels: 6, side: 12, kernel: 4, stride: 2, padding: 1),
        Shape(batch: 3, channels: 5, outChannels: 7, side: 9, kernel: 1, stride: 1, padding: 0),
        Shape(batch: 1, channels: 2, outChannels: 3, side: 2, kernel: 1, stride: 1, padding: 0),
    ]

    @Test(arguments: shapes)
    func matchesTheConvolutionThenThePooling(shape: Shape) throws {
        var rng = RandomGenerator(seed: UInt64(shape.side * 31 + shape.channels))
        // Rounded to a coarse grid, so that the convolution's outputs tie within windows.
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in (rng.gaussian() * 4).rounded() / 4 } }
        let input = values(shape.batch * shape.channels * shape.side * shape.side)
        let weight = values(shape.outChannels * shape.channels * shape.kernel * shape.kernel)
        let bias = values(shape.outChannels)
        func leaves() -> (Tensor, Tensor, Tensor?) {
            (
                Tensor(shape: [shape.batch, shape.channels, shape.side, shape.side], scalars: input).requiringGrad(),
                Tensor(shape: [shape.outChannels, shape.channels, shape.kernel, shape.kernel], scalars: weight)
                    .requiringGrad(),
                shape.bias ? Tensor(shape: [shape.outChannels], scalars: bias).requiringGrad() : nil
            )
        }
        let (x1, w1, b1) = leaves()
        let (x2, w2, b2) = leaves()
        let fused = x1.conv2dMaxPool(weight: w1, bias: b1, stride: shape.stride, padding: shape.padding)
        let separate = x2.conv2d(weight: w2, bias: b2, stride: shape.stride, padding: shape.padding).maxPool2d(
            kernel: 2)
        #expect(fused.shape == separate.shape)
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        let upstream = Tensor(shape: fused.shape, scalars: values(fused.count))
        (fused * upstream).sum().backward()
        (separate * upstream).sum().backward()
        for (a, b) in [(x1, x2), (w1, w2)] + (shape.bias ? [(b1!, b2!)] : []) {
            let (fusedGradient, separateGradient) = (try #require(a.grad), try #require(b.grad))
            #expect(fusedGradient.scalars.map(\.bitPattern) == separateGradient.scalars.map(\.bitPattern))
            #expect(fusedGradient.scalars.contains { $0 != 0 })
        }
        // Without recording: the same values.
        let unrecorded = GradMode.withoutGradients {
            x1.conv2dMaxPool(weight: w1, bias: b1, stride: shape.stride, padding: shape.padding)
        }
        #expect(unrecorded.scalars.map(\.bitPattern) == fused.scalars.map(\.bitPattern))
    }

    /// Only the input, or only the weight, needing a gradient; and a NaN, which wins its window.
    @Test func partialGradientsAndNaN() throws {
        var rng = RandomGenerator(seed: 5)
        var input = (0..<(2 * 3 * 10 * 10)).map { _ in rng.gaussian() }
        input[37] = .nan
        let weight = (0..<(4 * 3 * 9)).map { _ in rng.gaussian() }
        for inputNeedsGradient in [true, false] {
            let x1 = Tensor(shape: [2, 3, 10, 10], scalars: input)
            let x2 = Tensor(shape: [2, 3, 10, 10], scalars: input)
            let w1 = Tensor(shape: [4, 3, 3, 3], scalars: weight)
            let w2 = Tensor(shape: [4, 3, 3, 3], scalars: weight)
            for t in inputNeedsGradient ? [x1, x2] : [w1, w2] { t.requiresGrad = true }
            let fused = x1.conv2dMaxPool(weight: w1, bias: nil, padding: 1)
            let separate = x2.conv2d(weight: w2, bias: nil, padding: 1).maxPool2d(kernel: 2)
            #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
            #expect(fused.scalars.contains { $0.isNaN })
            fused.sum().backward()
            separate.sum().backward()
            let (a, b) = inputNeedsGradient ? (x1, x2) : (w1, w2)
            let (fusedGradient, separateGradient) = (try #require(a.grad), try #require(b.grad))
            #expect(fusedGradient.scalars.map(\.bitPattern) == separateGradient.scalars.map(\.bitPattern))
            #expect((inputNeedsGradient ? w1 : x1).grad == nil)
        }
    }

    /// An empty batch gives an empty result of the right shape, as the two ops do, and a backward pass
    /// through it leaves the parameters' gradients zero.
    @Test func emptyBatch() throws {
        let x = Tensor(shape: [0, 2, 8, 8], scalars: []).requiringGrad()
        let w = Tensor(shape: [3, 2, 3, 3], scalars: (0..<54).map { Float($0) / 54 }).requiringGrad()
        let b = Tensor(shape: [3], scalars: [1, 2, 3]).requiringGrad()
        let y = x.conv2dMaxPool(weight: w, bias: b, padding: 1)
        #expect(y.shape == x.conv2d(weight: w, bias: b, padding: 1).maxPool2d(kernel: 2).shape)
        #expect(y.shape == [0, 3, 4, 4])
        y.sum().backward()
        #expect(try #require(w.grad).scalars.allSatisfy { $0 == 0 })
        #expect(try #require(b.grad).scalars.allSatisfy { $0 == 0 })
    }

    /// Against finite differences, on values far enough apart that no window holds a near-tie: one input
    /// channel and positive 1x1 kernels keep each window's order under the steps.
    @Test func gradientsAgainstFiniteDifferences() {
        var rng = RandomGenerator(seed: 9)
        let distinct = rng.permutation(2 * 6 * 6).map { Float($0) * 0.05 }
        let x = Tensor(shape: [2, 1, 6, 6], scalars: distinct)
        checkGradients([x, smoothTensor([3, 1, 1, 1], seed: 10), smoothTensor([3], seed: 11)]) {
            $0[0].conv2dMaxPool(weight: $0[1], bias: $0[2])
        }
    }
}
