import Testing

@testable import TensorCore

/// The convolutions and pooling split big batches over threads (`ImageBatchSplit`,
/// `forEachPlaneRange`); these tests check that a batch large enough for that gives, image by
/// image, the values and gradients of the same op run on each image alone (the serial path).
@Suite struct ConvolutionBatchTests {
    /// Runs `f` on the whole batch and on each image alone; compares outputs and the gradients of
    /// `sum(output * weights)` with respect to every input.
    func expectBatchMatchesImages(
        batch: Int, imageShape: [Int], parameters: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
        _ f: (Tensor, [Tensor]) -> Tensor
    ) {
        var rng = RandomGenerator(seed: 21)
        let x = Tensor.randomNormal([batch] + imageShape, generator: &rng)
        x.requiresGrad = true
        for p in parameters {
            p.requiresGrad = true
            p.grad = nil
        }
        let out = f(x, parameters)
        let weights = Tensor.randomNormal(out.shape, generator: &rng)
        (out * weights).sum().backward()
        let batchGrads = parameters.map { $0.grad!.scalars }
        var summed = parameters.map { [Float](repeating: 0, count: $0.count) }
        let imageSize = x.count / batch
        let outSize = out.count / batch
        var worst: Float = 0
        for b in 0..<batch {
            let image = Tensor(shape: [1] + imageShape, scalars: Array(x.scalars[b * imageSize..<(b + 1) * imageSize]))
            image.requiresGrad = true
            for p in parameters { p.grad = nil }
            let single = f(image, parameters)
            let w = Tensor(shape: single.shape, scalars: Array(weights.scalars[b * outSize..<(b + 1) * outSize]))
            (single * w).sum().backward()
            for i in 0..<outSize { worst = max(worst, abs(single.data[i] - out.data[b * outSize + i])) }
            for i in 0..<imageSize { worst = max(worst, abs(image.grad!.data[i] - x.grad!.data[b * imageSize + i])) }
            for (k, p) in parameters.enumerated() {
                for i in 0..<p.count { summed[k][i] += p.grad!.data[i] }
            }
        }
        for (k, grads) in batchGrads.enumerated() {
            for i in grads.indices { worst = max(worst, abs(grads[i] - summed[k][i]) / max(1, abs(grads[i]))) }
        }
        #expect(worst < 1e-3, "largest difference \(worst)", sourceLocation: sourceLocation)
    }

    @Test func conv2dBatchMatchesImageByImage() {
        var rng = RandomGenerator(seed: 1)
        for (stride, padding) in [(1, 1), (2, 1)] {
            let w = Tensor.randomNormal([16, 8, 3, 3], generator: &rng)
            let b = Tensor.randomNormal([16], generator: &rng)
            expectBatchMatchesImages(batch: 12, imageShape: [8, 14, 14], parameters: [w, b]) {
                $0.conv2d(weight: $1[0], bias: $1[1], stride: stride, padding: padding)
            }
        }
    }

    /// Wong et al.'s 4x4 stride-2 convolution on 14x14 planes: 10 images share a GEMM, so a batch
    /// of 13 is a full group and a remainder of 3.
    @Test func groupedConv2dMatchesImageByImage() {
        var rng = RandomGenerator(seed: 4)
        let w = Tensor.randomNormal([32, 16, 4, 4], generator: &rng)
        let b = Tensor.randomNormal([32], generator: &rng)
        expectBatchMatchesImages(batch: 13, imageShape: [16, 14, 14], parameters: [w, b]) {
            $0.conv2d(weight: $1[0], bias: $1[1], stride: 2, padding: 1)
        }
    }

    @Test func pointwiseConv2dBatchMatchesImageByImage() {
        var rng = RandomGenerator(seed: 2)
        let w = Tensor.randomNormal([24, 16, 1, 1], generator: &rng)
        expectBatchMatchesImages(batch: 16, imageShape: [16, 14, 14], parameters: [w]) {
            $0.conv2d(weight: $1[0], bias: nil)
        }
    }

    @Test func convTranspose2dBatchMatchesImageByImage() {
        var rng = RandomGenerator(seed: 3)
        let w = Tensor.randomNormal([16, 8, 4, 4], generator: &rng)
        let b = Tensor.randomNormal([8], generator: &rng)
        expectBatchMatchesImages(batch: 12, imageShape: [16, 7, 7], parameters: [w, b]) {
            $0.convTranspose2d(weight: $1[0], bias: $1[1], stride: 2, padding: 1)
        }
    }

    @Test func poolingBatchMatchesImageByImage() {
        expectBatchMatchesImages(batch: 8, imageShape: [16, 28, 28], parameters: []) { x, _ in
            x.maxPool2d(kernel: 2) * 2
        }
        expectBatchMatchesImages(batch: 8, imageShape: [16, 14, 14], parameters: []) { x, _ in
            x.maxPool2d(kernel: 3, stride: 2).upsampleNearest(factor: 2)
        }
    }

    /// The gradient checks of the general paths: a 1x1 convolution (no unfolding) and a 3x3
    /// pooling window with stride 2.
    @Test func pointwiseConvolutionAndWidePoolingGradients() {
        checkGradients([
            smoothTensor([2, 3, 4, 4], seed: 11), smoothTensor([2, 3, 1, 1], seed: 12), smoothTensor([2], seed: 13),
        ]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2])
        }
        var rng = RandomGenerator(seed: 14)
        let distinct = rng.permutation(98).map { Float($0) * 0.1 }
        checkGradients([Tensor(shape: [2, 1, 7, 7], scalars: distinct)]) { $0[0].maxPool2d(kernel: 3, stride: 2) }
    }
}

/// The groups of images that share one GEMM in `conv2d`.
@Suite struct ConvolutionImageGroupsTests {
    func geometry(channels: Int, size: Int, kernel: Int, stride: Int, padding: Int) -> Im2Col {
        Im2Col(
            channels: channels, height: size, width: size, kernelHeight: kernel, kernelWidth: kernel, stride: stride,
            padding: padding)
    }

    @Test func smallPlanesAreGroupedLargeOnesAreNot() {
        // Wong et al.'s second convolution: 49 positions (11 images for 512 columns), but 256 * 49
        // floats of columns an image, so the 512 KB budget holds 10.
        #expect(
            ConvolutionImageGroups(geometry: geometry(channels: 16, size: 14, kernel: 4, stride: 2, padding: 1)).size
                == 10)
        // A 28x28 output is wide enough alone; a 1x1 kernel's columns are the image itself.
        #expect(
            ConvolutionImageGroups(geometry: geometry(channels: 1, size: 28, kernel: 3, stride: 1, padding: 1)).size
                == 1)
        #expect(
            ConvolutionImageGroups(geometry: geometry(channels: 8, size: 7, kernel: 1, stride: 1, padding: 0)).size == 1
        )
        // Many channels: the group's columns stay within the cache budget (800 * 196 floats an image).
        #expect(
            ConvolutionImageGroups(geometry: geometry(channels: 32, size: 14, kernel: 5, stride: 1, padding: 2)).size
                == 1)
        #expect(
            ConvolutionImageGroups(geometry: geometry(channels: 8, size: 14, kernel: 3, stride: 1, padding: 1)).size
                == 3)
    }

    @Test func groupsCoverTheRangeInOrder() {
        let grouping = ConvolutionImageGroups(
            geometry: geometry(channels: 16, size: 14, kernel: 4, stride: 2, padding: 1))
        #expect(grouping.groups(of: 5..<30) == [5..<15, 15..<25, 25..<30])
        #expect(grouping.groups(of: 3..<3).isEmpty)
    }

    @Test func scatterUndoesGather() {
        let (count, rows, positions) = (3, 4, 5)
        let planes = (0..<count * rows * positions).map { Float($0) }
        var matrix = [Float](repeating: .nan, count: planes.count)
        var back = [Float](repeating: .nan, count: planes.count)
        planes.withUnsafeBufferPointer { source in
            matrix.withUnsafeMutableBufferPointer { m in
                ConvolutionImageGroups.gather(
                    planes: source.baseAddress!, count: count, rows: rows, positions: positions, into: m.baseAddress!)
            }
        }
        // Row 1 of the matrix: image 0's row 1, then image 1's, then image 2's.
        #expect(Array(matrix[15..<30]) == [5, 6, 7, 8, 9, 25, 26, 27, 28, 29, 45, 46, 47, 48, 49])
        matrix.withUnsafeBufferPointer { m in
            back.withUnsafeMutableBufferPointer { out in
                ConvolutionImageGroups.scatter(
                    matrix: m.baseAddress!, count: count, rows: rows, positions: positions, into: out.baseAddress!)
            }
        }
        #expect(back == planes)
    }
}
