import Testing

@testable import TensorCore

/// `conv2d` computes its weight gradient as a transpose, `columns x gradOut^T`, so that the unfolded
/// images are read in place; these tests check that it gives the bits of the direct product
/// `gradOut x columns^T`, accumulated image by image within each piece of the batch (`ImageBatchSplit`)
/// and the pieces' sums added in order.
@Suite struct ConvolutionWeightGradientTests {
    /// The direct weight gradient of `x.conv2d(weight)` (no bias) for the upstream gradient `g`: one
    /// `gradOut x columns^T` GEMM per image, added into its piece's sum in image order, the pieces' sums
    /// then added in order.
    func directWeightGradient(x: Tensor, weight: Tensor, g: Tensor, padding: Int, stride: Int) -> [Float] {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let outChannels = weight.shape[0]
        let geometry = Im2Col(
            channels: channels, height: height, width: width, kernelHeight: weight.shape[2],
            kernelWidth: weight.shape[3], stride: stride, padding: padding)
        let columns = TensorStorage(count: geometry.columnCount)
        let pieces = ImageBatchSplit(
            batch: batch, flopsPerImage: 2.0 * Double(outChannels * geometry.positions * geometry.patch)
        ).pieces
        var total = [Float](repeating: 0, count: weight.count)
        for piece in 0..<pieces {
            var sum = [Float](repeating: 0, count: weight.count)
            for image in GEMM.split(units: batch, parts: pieces, index: piece) {
                geometry.unfold(image: x.data + image * geometry.imageSize, columns: columns.pointer)
                GEMM.multiply(
                    m: outChannels, n: geometry.patch, k: geometry.positions,
                    a: g.data + image * outChannels * geometry.positions, lda: geometry.positions, transA: false,
                    b: columns.pointer, ldb: geometry.positions, transB: true, c: &sum, ldc: geometry.patch, beta: 1,
                    threads: 1)
            }
            for index in total.indices { total[index] += sum[index] }
        }
        return total
    }

    /// 28x28 planes (784 positions: one image per GEMM, and two depth blocks of 392), 32 output channels
    /// (the U-Net's first blocks), at one thread; then a 1x1 kernel, whose columns are the image itself.
    @Test(arguments: [(3, 1), (1, 0)])
    func transposedWeightGradientIsTheDirectProductBitForBit(kernel: Int, padding: Int) {
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        ComputeThreads.count = 1
        var generator = RandomGenerator(seed: 31)
        let x = Tensor.randomNormal([3, 6, 28, 28], generator: &generator)
        let weight = Tensor.randomNormal([32, 6, kernel, kernel], generator: &generator).requiringGrad()
        let out = x.conv2d(weight: weight, bias: nil, stride: 1, padding: padding)
        let g = Tensor.randomNormal(out.shape, generator: &generator)
        (out * g).sum().backward()
        let expected = directWeightGradient(x: x, weight: weight, g: g, padding: padding, stride: 1)
        #expect(weight.grad?.scalars == expected)
    }
}
