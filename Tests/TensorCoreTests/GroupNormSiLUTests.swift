import Testing

@testable import TensorCore

/// `groupNormSiLU` gives, bit for bit, the output and the gradients of `groupNorm(...).silu()`.
struct GroupNormSiLUTests {
    /// 28x28 planes (a multiple of 16) and 7x7 planes (a ragged tail), at one thread and at two.
    @Test(arguments: [(4, 28), (6, 7)])
    func fusedIsTheTwoOpsBitForBit(batch: Int, side: Int) {
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        var generator = RandomGenerator(seed: 41)
        let x = Tensor.randomNormal([batch, 32, side, side], standardDeviation: 3, generator: &generator)
        let weight = Tensor.randomNormal([32], generator: &generator)
        let bias = Tensor.randomNormal([32], generator: &generator)
        let g = Tensor.randomNormal(x.shape, generator: &generator)
        func run(fused: Bool) -> [[Float]] {
            let (input, w, b) = (x.copy().requiringGrad(), weight.copy().requiringGrad(), bias.copy().requiringGrad())
            let y =
                fused
                ? input.groupNormSiLU(groups: 8, weight: w, bias: b)
                : input.groupNorm(groups: 8, weight: w, bias: b).silu()
            (y * g).sum().backward()
            return [y.scalars, input.grad?.scalars ?? [], w.grad?.scalars ?? [], b.grad?.scalars ?? []]
        }
        for threads in [1, 2] {
            ComputeThreads.count = threads
            let (fused, separate) = (run(fused: true), run(fused: false))
            for (part, name) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
                let same = !fused[part].isEmpty && fused[part] == separate[part]
                #expect(same, "\(name), threads \(threads)")
            }
        }
    }
}
