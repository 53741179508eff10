import Testing

@testable import TensorCore

/// Finite-difference checks of the recorded ops and paths that `GradientTests` leaves out: the scalar
/// forms of the arithmetic, convolutions without a bias or with only some inputs needing a gradient,
/// non-square kernels, the generic upsampling and overlapping pooling paths, the fused GroupNorm-SiLU,
/// and graphs in which one value feeds several branches.
@Suite struct GradientCoverageTests {
    @Test func scalarArithmetic() {
        checkGradients([smoothTensor([2, 3], seed: 1)]) { -$0[0] }
        checkGradients([smoothTensor([2, 3], seed: 2)]) { $0[0].scaled(by: -2.5) }
        checkGradients([smoothTensor([2, 3], seed: 3)]) { (2 - $0[0]) * $0[0].shifted(by: 3) }
        checkGradients([smoothTensor([2, 3], seed: 4)]) { $0[0] / 4 }
    }

    /// A 2x3 kernel on a 4x6 input, stride 2 and padding 1; no bias; and each of input and weight alone
    /// needing a gradient (the backward pass skips the other's product).
    @Test func conv2dNonSquareWithoutBiasAndPartialGradients() {
        let x = smoothTensor([2, 2, 4, 6], seed: 5)
        let w = smoothTensor([3, 2, 2, 3], seed: 6)
        checkGradients([x, w]) { $0[0].conv2d(weight: $0[1], bias: nil, stride: 2, padding: 1) }
        let constantInput = x.detached()
        checkGradients([w, smoothTensor([3], seed: 7)]) {
            constantInput.conv2d(weight: $0[0], bias: $0[1], stride: 1, padding: 1)
        }
        let constantWeight = w.detached()
        checkGradients([x]) { $0[0].conv2d(weight: constantWeight, bias: nil, stride: 1, padding: 0) }
    }

    /// A 3x3 kernel with padding 1 and stride 1 is Winograd's shape: with `allowWinograd` and a recorded
    /// graph the convolution must still take the differentiable path.
    @Test func conv2dAllowingWinogradWhileRecording() {
        checkGradients([
            smoothTensor([2, 2, 4, 4], seed: 8), smoothTensor([2, 2, 3, 3], seed: 9), smoothTensor([2], seed: 10),
        ]) {
            $0[0].conv2d(weight: $0[1], bias: $0[2], stride: 1, padding: 1, allowWinograd: true)
        }
    }

    @Test func convTranspose2dNonSquareWithoutBias() {
        checkGradients([smoothTensor([2, 2, 3, 2], seed: 11), smoothTensor([2, 3, 2, 3], seed: 12)]) {
            $0[0].convTranspose2d(weight: $0[1], bias: nil, stride: 2, padding: 0)
        }
        let constantInput = smoothTensor([1, 2, 3, 3], seed: 13)
        checkGradients([smoothTensor([2, 2, 3, 3], seed: 14), smoothTensor([2], seed: 15)]) {
            constantInput.convTranspose2d(weight: $0[0], bias: $0[1], stride: 1, padding: 1)
        }
    }

    @Test func upsamplingByThreeAndOverlappingTwoByTwoPooling() {
        checkGradients([smoothTensor([2, 1, 2, 3], seed: 16)]) { $0[0].upsampleNearest(factor: 3) }
        // Distinct values 0.1 apart, shuffled: no window holds a near-tie; stride 1 makes a value win
        // several windows, whose gradients add.
        var rng = RandomGenerator(seed: 17)
        let distinct = rng.permutation(40).map { Float($0) * 0.1 }
        checkGradients([Tensor(shape: [2, 1, 4, 5], scalars: distinct)]) { $0[0].maxPool2d(kernel: 2, stride: 1) }
    }

    @Test func fusedGroupNormSiLU() {
        for groups in [1, 2] {
            checkGradients(
                [smoothTensor([2, 4, 3, 3], seed: 18), smoothTensor([4], seed: 19), smoothTensor([4], seed: 20)],
                tolerance: 3e-2
            ) {
                $0[0].groupNormSiLU(groups: groups, weight: $0[1], bias: $0[2])
            }
        }
    }

    @Test func reductionsAndSoftmaxOverHigherRanks() {
        checkGradients([smoothTensor([2, 3, 4], seed: 21)]) { $0[0].max(axis: 1, keepingDimension: true) }
        checkGradients([smoothTensor([2, 3, 4], seed: 22)]) { $0[0].sum(axis: 0) }
        checkGradients([smoothTensor([2, 3, 4], seed: 23, high: 3)]) { $0[0].softmax() }
        checkGradients([smoothTensor([2, 3, 4], seed: 24, high: 3)]) { $0[0].logSoftmax() }
    }

    /// Concatenation of three tensors along the first and the last axis, one of them a constant.
    @Test func concatenateThreeWithAConstant() {
        let constant = smoothTensor([1, 3], seed: 25)
        checkGradients([smoothTensor([2, 3], seed: 26), smoothTensor([3, 3], seed: 27)]) {
            Tensor.concatenate([$0[0], constant, $0[1]], axis: 0)
        }
        checkGradients([smoothTensor([2, 2, 1], seed: 28), smoothTensor([2, 2, 3], seed: 29)]) {
            Tensor.concatenate([$0[0], $0[1], $0[0]], axis: -1)
        }
    }

    @Test func linearWithoutBiasAndWithAConstantBias() {
        checkGradients([smoothTensor([3, 4], seed: 30), smoothTensor([2, 4], seed: 31)]) {
            $0[0].linear(weight: $0[1], bias: nil)
        }
        let bias = smoothTensor([2], seed: 32)
        checkGradients([smoothTensor([3, 4], seed: 33), smoothTensor([2, 4], seed: 34)]) {
            $0[0].linear(weight: $0[1], bias: bias)
        }
    }

    /// One intermediate value feeding three branches (a diamond), and one weight used by two layers:
    /// the gradients of every use must add.
    @Test func valuesReusedAcrossBranches() {
        checkGradients([smoothTensor([3, 4], seed: 35), smoothTensor([3, 1], seed: 36)]) {
            let y = $0[0].sigmoid()
            return y * y + y.sum(axis: 1, keepingDimension: true) * $0[1] + y.exp()
        }
        checkGradients([smoothTensor([2, 3], seed: 37), smoothTensor([3, 3], seed: 38)]) {
            let hidden = $0[0].linear(weight: $0[1], bias: nil).tanh()
            return hidden.linear(weight: $0[1], bias: nil) + hidden
        }
    }

    /// A second backward pass over a graph that reuses a value adds to each leaf's gradient.
    @Test func aSecondPassAccumulatesIntoTheLeaves() {
        let x = smoothTensor([2, 3], seed: 39).requiringGrad()
        let w = smoothTensor([3, 2], seed: 40).requiringGrad()
        func pass() { (x.matmul(w).tanh() * x.sum()).sum().backward() }
        pass()
        let (once, onceW) = (x.grad!.scalars, w.grad!.scalars)
        pass()
        #expect(zip(x.grad!.scalars, once).allSatisfy { abs($0 - 2 * $1) <= 1e-6 * max(1, abs($0)) })
        #expect(zip(w.grad!.scalars, onceW).allSatisfy { abs($0 - 2 * $1) <= 1e-6 * max(1, abs($0)) })
    }
}
