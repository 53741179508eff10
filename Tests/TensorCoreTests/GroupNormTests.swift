import Testing

@testable import TensorCore

/// Group normalisation and the per-channel shift: gradient checks, and the formula computed
/// directly in double precision on a batch large enough for the threaded path.
@Suite struct GroupNormTests {
    @Test func gradients() {
        for groups in [1, 2, 4] {
            checkGradients(
                [smoothTensor([2, 4, 3, 3], seed: 1), smoothTensor([4], seed: 2), smoothTensor([4], seed: 3)],
                tolerance: 3e-2
            ) {
                $0[0].groupNorm(groups: groups, weight: $0[1], bias: $0[2])
            }
        }
        checkGradients([smoothTensor([3, 2, 5], seed: 4), smoothTensor([3, 2], seed: 5)]) {
            $0[0].shiftedPerChannel(by: $0[1]) * $0[0]
        }
    }

    @Test func matchesTheFormula() {
        var rng = RandomGenerator(seed: 6)
        let (batch, channels, plane, groups) = (16, 32, 196, 8)
        let x = Tensor.randomNormal([batch, channels, 14, 14], generator: &rng) * 3 + 1
        let weight = Tensor.randomNormal([channels], generator: &rng)
        let bias = Tensor.randomNormal([channels], generator: &rng)
        let y = x.groupNorm(groups: groups, weight: weight, bias: bias)
        let perGroup = channels / groups
        var worst = 0.0
        for b in 0..<batch {
            for g in 0..<groups {
                let start = (b * channels + g * perGroup) * plane
                let values = (0..<perGroup * plane).map { Double(x.data[start + $0]) }
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                for i in 0..<values.count {
                    let c = g * perGroup + i / plane
                    let expected =
                        (values[i] - mean) / (variance + 1e-5).squareRoot() * Double(weight.data[c])
                        + Double(bias.data[c])
                    worst = max(worst, abs(expected - Double(y.data[start + i])))
                }
            }
        }
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    /// The threaded backward pass against the same op on each sample alone.
    @Test func batchGradientsMatchSampleBySample() {
        var rng = RandomGenerator(seed: 7)
        let x = Tensor.randomNormal([8, 16, 14, 14], generator: &rng)
        let weight = Tensor.randomNormal([16], generator: &rng)
        let bias = Tensor.randomNormal([16], generator: &rng)
        let probe = Tensor.randomNormal(x.shape, generator: &rng)
        for t in [x, weight, bias] { t.requiresGrad = true }
        (x.groupNorm(groups: 4, weight: weight, bias: bias) * probe).sum().backward()
        let size = 16 * 196
        var weightSum = [Float](repeating: 0, count: 16)
        var worst: Float = 0
        for b in 0..<8 {
            let sample = Tensor(shape: [1, 16, 14, 14], scalars: Array(x.scalars[b * size..<(b + 1) * size]))
            sample.requiresGrad = true
            weight.grad = nil
            let p = Tensor(shape: sample.shape, scalars: Array(probe.scalars[b * size..<(b + 1) * size]))
            (sample.groupNorm(groups: 4, weight: weight, bias: bias) * p).sum().backward()
            for i in 0..<size { worst = max(worst, abs(sample.grad!.data[i] - x.grad!.data[b * size + i])) }
            for c in 0..<16 { weightSum[c] += weight.grad!.data[c] }
        }
        weight.grad = nil
        (x.groupNorm(groups: 4, weight: weight, bias: bias) * probe).sum().backward()
        for c in 0..<16 { worst = max(worst, abs(weightSum[c] - weight.grad!.data[c]) / max(1, abs(weightSum[c]))) }
        #expect(worst < 1e-3, "largest difference \(worst)")
    }
}
