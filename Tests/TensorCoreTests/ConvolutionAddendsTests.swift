import Testing

@testable import TensorCore

/// A convolution with its per-channel shift and residual added in Winograd's output transform against
/// the separate ops it stands in for: bitwise the same, with either tile kind, with or without a bias,
/// shift or residual, over groups and threads.
@Suite struct ConvolutionAddendsTests {
    /// batch, input channels, output channels, height, width: F(2x2) shapes (narrow, few channels, odd
    /// sides, planes smaller than a vector, several groups) and F(4x4) ones (28 and 30 wide, 16 or more
    /// channels, the U-Net's 96 -> 32).
    static let shapes = [
        (3, 2, 3, 5, 7), (2, 4, 5, 1, 1), (6, 3, 8, 2, 2), (9, 64, 64, 14, 14), (16, 64, 64, 7, 7),
        (2, 16, 8, 27, 65), (7, 32, 32, 28, 28), (4, 96, 32, 28, 28), (3, 16, 5, 30, 30),
    ]

    struct Inputs {
        let x: Tensor
        let weight: Tensor
        let bias: Tensor?
        let shift: Tensor?
        let residual: Tensor?
    }

    static func inputs(_ shape: (Int, Int, Int, Int, Int), bias: Bool, shift: Bool, residual: Bool) -> Inputs {
        let (batch, channels, outChannels, height, width) = shape
        var rng = RandomGenerator(seed: UInt64(batch * 131 + channels * 17 + width))
        return Inputs(
            x: Tensor.randomNormal([batch, channels, height, width], generator: &rng),
            weight: Tensor.randomNormal([outChannels, channels, 3, 3], standardDeviation: 0.3, generator: &rng),
            bias: bias ? Tensor.randomNormal([outChannels], generator: &rng) : nil,
            shift: shift ? Tensor.randomNormal([batch, outChannels], generator: &rng) : nil,
            residual: residual ? Tensor.randomNormal([batch, outChannels, height, width], generator: &rng) : nil)
    }

    /// How many values of `a` differ from `b`'s in their bits (a NaN's included).
    static func differingBits(_ a: Tensor, _ b: Tensor) -> Int {
        zip(a.scalars, b.scalars).filter { $0.bitPattern != $1.bitPattern }.count
    }

    /// The separate ops: the Winograd convolution, `shiftedPerChannel`, then `+`.
    static func separate(_ v: Inputs, fourByFour: Bool) -> Tensor {
        var out =
            fourByFour
            ? v.x.conv2dWinograd(weight: v.weight, bias: v.bias, tiles: Winograd4x4Transforms.self)
            : v.x.conv2dWinograd(weight: v.weight, bias: v.bias, tiles: Winograd2x2Transforms.self)
        if let shift = v.shift { out = out.shiftedPerChannel(by: shift) }
        if let residual = v.residual { out = out + residual }
        return out
    }

    @Test(arguments: [false, true], shapes)
    func outputTransformAddsBitwiseAsTheSeparateOps(fourByFour: Bool, shape: (Int, Int, Int, Int, Int)) {
        for (bias, shift, residual) in [
            (true, true, false), (true, false, true), (false, true, true), (true, true, true),
        ] {
            let v = Self.inputs(shape, bias: bias, shift: shift, residual: residual)
            let fused = noGrad {
                fourByFour
                    ? v.x.conv2dWinograd(
                        weight: v.weight, bias: v.bias, shift: v.shift, residual: v.residual,
                        tiles: Winograd4x4Transforms.self)
                    : v.x.conv2dWinograd(
                        weight: v.weight, bias: v.bias, shift: v.shift, residual: v.residual,
                        tiles: Winograd2x2Transforms.self)
            }
            let expected = noGrad { Self.separate(v, fourByFour: fourByFour) }
            #expect(fused.shape == expected.shape)
            #expect(
                Self.differingBits(fused, expected) == 0,
                "shape \(shape), bias \(bias), shift \(shift), residual \(residual)")
        }
    }

    /// The public op: the same bits as `conv2d(..., allowWinograd: true)`, `shiftedPerChannel` and `+`
    /// where nothing is recorded, and where the input requires gradients it records those ops, whose
    /// gradients it then gives.
    @Test func publicOpMatchesTheSeparateOpsAndRecordsTheirGradients() {
        let v = Self.inputs((4, 96, 32, 28, 28), bias: true, shift: true, residual: true)
        func separate() -> Tensor {
            v.x.conv2d(weight: v.weight, bias: v.bias, stride: 1, padding: 1, allowWinograd: true)
                .shiftedPerChannel(by: v.shift!) + v.residual!
        }
        func joined() -> Tensor {
            v.x.conv2d(
                weight: v.weight, bias: v.bias, stride: 1, padding: 1, allowWinograd: true,
                shiftedPerChannelBy: v.shift, adding: v.residual)
        }
        #expect(Self.differingBits(noGrad(joined), noGrad(separate)) == 0)
        v.x.requiresGrad = true
        v.shift!.requiresGrad = true
        var gradients: [Tensor] = []
        for op in [separate, joined] {
            v.x.grad = nil
            v.shift!.grad = nil
            let out = op()
            #expect(out.requiresGrad)
            (out * out).sum().backward()
            gradients += [v.x.grad!, v.shift!.grad!]
        }
        #expect(Self.differingBits(gradients[0], gradients[2]) == 0)
        #expect(Self.differingBits(gradients[1], gradients[3]) == 0)
    }
}
