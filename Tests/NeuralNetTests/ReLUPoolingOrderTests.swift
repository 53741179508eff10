import Testing

@testable import NeuralNet
@testable import TensorCore

/// `Sequential` runs a ReLU followed by a max pooling as the pooling followed by the ReLU; the values
/// and the input gradient are those of the layers one by one, bit for bit, with ties, zeros and
/// all-negative windows, for the CNN's 2x2 windows and for overlapping 3x3 windows with stride 2.
@Suite struct ReLUPoolingOrderTests {
    @Test(arguments: [(2, 2, 28), (2, 2, 14), (3, 2, 9), (2, 1, 6)])
    func poolingBeforeTheReLUGivesTheLayersOwnValuesAndGradients(kernel: Int, stride: Int, side: Int) {
        var rng = RandomGenerator(seed: UInt64(kernel * 100 + side))
        // Levels -2 ... 2: ties, exact zeros and windows with no positive value.
        let values = (0..<(3 * 4 * side * side)).map { _ in Float(rng.index(below: 5)) - 2 }
        let layers: [any Module] = [ReLU(), MaxPool2d(kernelSize: kernel, stride: stride)]
        let fused = Tensor(shape: [3, 4, side, side], scalars: values).requiringGrad()
        let oneByOne = Tensor(shape: [3, 4, side, side], scalars: values).requiringGrad()
        let y = Sequential(layers)(fused)
        let expected = layers.reduce(oneByOne) { $1($0) }
        #expect(y.shape == expected.shape)
        #expect(y.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
        let weights = Tensor(shape: y.shape, scalars: (0..<y.count).map { Float($0 % 7) - 3 })
        (y * weights).sum().backward()
        (expected * weights).sum().backward()
        #expect(fused.grad?.scalars.map(\.bitPattern) == oneByOne.grad?.scalars.map(\.bitPattern))
        #expect(fused.grad?.scalars.contains { $0 != 0 } == true)
    }
}
