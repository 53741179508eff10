import Testing
@testable import TensorCore

@Suite struct ArithmeticGradientTests {
    @Test func addSubtractBroadcast() {
        checkGradients([smoothTensor([3, 4], seed: 1), smoothTensor([4], seed: 2)]) { $0[0] + $0[1] }
        checkGradients([smoothTensor([3, 1], seed: 3), smoothTensor([1, 4], seed: 4)]) { $0[0] - $0[1] }
        checkGradients([smoothTensor([2, 3, 4], seed: 5), smoothTensor([3, 1], seed: 6)]) { $0[0] + $0[1] }
    }

    @Test func multiplyDivideBroadcast() {
        checkGradients([smoothTensor([3, 4], seed: 1), smoothTensor([3, 4], seed: 2)]) { $0[0] * $0[1] }
        checkGradients([smoothTensor([2, 3], seed: 3), positiveTensor([3], seed: 4)]) { $0[0] / $0[1] }
        checkGradients([smoothTensor([1], seed: 5), positiveTensor([2, 2], seed: 6)]) { $0[0] / $0[1] }
        checkGradients([smoothTensor([2, 3], seed: 7)]) { ($0[0] * 3 - 1) / 2 + 0.5 * $0[0] }
    }

    @Test func valueUsedTwiceAccumulates() {
        checkGradients([smoothTensor([5], seed: 8)]) { $0[0] * $0[0] + $0[0] }
    }
}

@Suite struct UnaryGradientTests {
    @Test func expLogSqrtPow() {
        checkGradients([smoothTensor([7], seed: 1)]) { $0[0].exp() }
        checkGradients([positiveTensor([7], seed: 2)]) { $0[0].log() }
        checkGradients([positiveTensor([7], seed: 3)]) { $0[0].sqrt() }
        checkGradients([positiveTensor([7], seed: 4)]) { $0[0].pow(2.5) }
        checkGradients([smoothTensor([7], seed: 5)]) { $0[0].squared() }
    }

    @Test func absSignClamp() {
        checkGradients([smoothTensor([9], seed: 6)]) { $0[0].abs() }
        checkGradients([smoothTensor([9], seed: 7)]) { $0[0].sign() + $0[0] }
        let spaced = Tensor(shape: [6], scalars: [-0.9, -0.3, 0.1, 0.45, 0.7, 1.2])
        checkGradients([spaced]) { $0[0].clamped(min: -0.5, max: 0.5) }
    }

    @Test func activations() {
        checkGradients([smoothTensor([11], seed: 1)]) { $0[0].relu() }
        checkGradients([smoothTensor([11], seed: 2)]) { $0[0].leakyReLU(slope: 0.2) }
        checkGradients([smoothTensor([11], seed: 3, high: 4)]) { $0[0].sigmoid() }
        checkGradients([smoothTensor([11], seed: 4, high: 3)]) { $0[0].tanh() }
        checkGradients([smoothTensor([11], seed: 5, high: 5)]) { $0[0].softplus() }
        checkGradients([smoothTensor([11], seed: 6, high: 4)]) { $0[0].silu() }
    }

    @Test func softmaxFamily() {
        checkGradients([smoothTensor([3, 5], seed: 7, high: 3)]) { $0[0].softmax() }
        checkGradients([smoothTensor([3, 5], seed: 8, high: 3)]) { $0[0].logSoftmax() }
    }
}

@Suite struct ReductionGradientTests {
    @Test func sums() {
        checkGradients([smoothTensor([2, 3, 4], seed: 1)]) { $0[0].sum() }
        checkGradients([smoothTensor([2, 3, 4], seed: 2)]) { $0[0].mean() }
        checkGradients([smoothTensor([2, 3, 4], seed: 3)]) { $0[0].sum(axis: 1) }
        checkGradients([smoothTensor([2, 3, 4], seed: 4)]) { $0[0].mean(axis: -1, keepingDimension: true) }
    }

    @Test func maxOverAxis() {
        checkGradients([smoothTensor([3, 6], seed: 5)]) { $0[0].max(axis: 1) }
        checkGradients([smoothTensor([4, 2, 3], seed: 6)]) { $0[0].max(axis: 0) }
    }
}

@Suite struct ShapeGradientTests {
    @Test func reshapePermuteTranspose() {
        checkGradients([smoothTensor([2, 6], seed: 1)]) { $0[0].reshaped([3, -1]) }
        checkGradients([smoothTensor([2, 3, 4], seed: 2)]) { $0[0].permuted([2, 0, 1]) }
        checkGradients([smoothTensor([3, 5], seed: 3)]) { $0[0].transposed() }
    }

    @Test func sliceRowsConcatStack() {
        checkGradients([smoothTensor([4, 5], seed: 4)]) { $0[0].slice(axis: 1, 1..<4) }
        checkGradients([smoothTensor([4, 5], seed: 5)]) { $0[0].rows(1..<3) }
        checkGradients([smoothTensor([2, 3], seed: 6), smoothTensor([2, 2], seed: 7)]) {
            Tensor.concatenate([$0[0], $0[1]], axis: 1)
        }
        checkGradients([smoothTensor([2, 3], seed: 8), smoothTensor([2, 3], seed: 9)]) {
            Tensor.stack([$0[0], $0[1]], axis: 1)
        }
    }

    @Test func gatherAndSelectRows() {
        checkGradients([smoothTensor([3, 4], seed: 10)]) { $0[0].gather(indices: [3, 0, 2]) }
        checkGradients([smoothTensor([3, 4], seed: 11)]) { $0[0].selectingRows([2, 0, 2]) }
    }
}

@Suite struct LinalgGradientTests {
    @Test func matmulAllTransposes() {
        for transposeSelf in [false, true] {
            for transposeOther in [false, true] {
                let a = smoothTensor(transposeSelf ? [4, 3] : [3, 4], seed: 1)
                let b = smoothTensor(transposeOther ? [5, 4] : [4, 5], seed: 2)
                checkGradients([a, b]) { $0[0].matmul($0[1], transposeSelf: transposeSelf, transposeOther: transposeOther) }
            }
        }
    }

    @Test func linearWithBias() {
        checkGradients([smoothTensor([3, 4], seed: 3), smoothTensor([2, 4], seed: 4), smoothTensor([2], seed: 5)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
    }
}

@Suite struct ConvolutionGradientTests {
    @Test func conv2dStrideAndPadding() {
        for (stride, padding) in [(1, 0), (1, 1), (2, 1)] {
            checkGradients([smoothTensor([2, 2, 5, 5], seed: 1), smoothTensor([3, 2, 3, 3], seed: 2), smoothTensor([3], seed: 3)]) {
                $0[0].conv2d(weight: $0[1], bias: $0[2], stride: stride, padding: padding)
            }
        }
    }

    @Test func convTranspose2d() {
        for (stride, padding) in [(1, 0), (2, 1)] {
            checkGradients([smoothTensor([2, 3, 3, 3], seed: 4), smoothTensor([3, 2, 3, 3], seed: 5), smoothTensor([2], seed: 6)]) {
                $0[0].convTranspose2d(weight: $0[1], bias: $0[2], stride: stride, padding: padding)
            }
        }
    }

    @Test func poolingAndUpsampling() {
        // Distinct values 0.1 apart, shuffled, so no pooling window holds a near-tie.
        var rng = RandomGenerator(seed: 7)
        let distinct = rng.permutation(96).map { Float($0) * 0.1 }
        checkGradients([Tensor(shape: [2, 2, 4, 6], scalars: distinct)]) { $0[0].maxPool2d(kernel: 2) }
        checkGradients([smoothTensor([1, 2, 3, 3], seed: 8)]) { $0[0].upsampleNearest(factor: 2) }
    }
}
