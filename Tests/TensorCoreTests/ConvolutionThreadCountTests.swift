import Testing

@testable import TensorCore

/// A convolution's output and gradients are the same bits at every thread count: the batch is cut
/// into pieces by its size alone (`ImageBatchSplit`), so the weight and bias gradients, summed piece by
/// piece, add the same terms in the same order whether one thread or several run the pieces (a CNN or
/// U-Net trained with `--threads 1` and `--threads 2` then ends with the same weights).
struct ConvolutionThreadCountTests {
    /// `conv2d` (3x3, padding 1, and a strided 4x4), `conv2dMaxPool` and `convTranspose2d` with bias,
    /// forward and backward, on a batch big enough to be split, at 1, 2, 3 and 5 threads.
    @Test func convolutionsGiveTheSameBitsAtEveryThreadCount() {
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        var generator = RandomGenerator(seed: 57)
        let x = Tensor.randomNormal([20, 8, 14, 14], generator: &generator)
        let weight = Tensor.randomNormal([16, 8, 3, 3], generator: &generator)
        let strided = Tensor.randomNormal([16, 8, 4, 4], generator: &generator)
        let transposed = Tensor.randomNormal([16, 8, 3, 3], generator: &generator)
        let bias = Tensor.randomNormal([16], generator: &generator)
        func run() -> [[Float]] {
            let input = x.copy().requiringGrad()
            let (w, s, t, b) = (
                weight.copy().requiringGrad(), strided.copy().requiringGrad(), transposed.copy().requiringGrad(),
                bias.copy().requiringGrad()
            )
            let y = input.conv2d(weight: w, bias: b, stride: 1, padding: 1)
            let z = input.conv2d(weight: s, bias: b, stride: 2, padding: 1)
            let u = y.convTranspose2d(weight: t, bias: nil, stride: 1, padding: 1)
            let v = input.conv2dMaxPool(weight: w, bias: b, stride: 1, padding: 1)
            (y.sum() + (z * z).sum() + (u * u).sum() + (v * v).sum()).backward()
            return [
                y.scalars, z.scalars, u.scalars, v.scalars, input.grad?.scalars ?? [], w.grad?.scalars ?? [],
                s.grad?.scalars ?? [], t.grad?.scalars ?? [], b.grad?.scalars ?? [],
            ]
        }
        ComputeThreads.count = 1
        let reference = run()
        let names = [
            "conv output", "strided output", "transposed output", "pooled output", "input gradient", "weight gradient",
            "strided weight gradient", "transposed weight gradient", "bias gradient",
        ]
        for threads in [2, 3, 5] {
            ComputeThreads.count = threads
            let result = run()
            for (part, name) in names.enumerated() {
                #expect(!result[part].isEmpty && result[part] == reference[part], "\(name), threads \(threads)")
            }
        }
    }
}
