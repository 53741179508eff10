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

    /// A convolution followed by a 2x2 pooling, with a ReLU between or not, runs as `Conv2d.maxPooled`;
    /// the values and every gradient are the layers' one by one, bit for bit. Other poolings after a
    /// convolution run as layers of their own.
    @Test(arguments: [[0, 1, 2], [0, 2], [0, 1, 3], [0, 3]])
    func convolutionAndPoolingGiveTheLayersOwnValuesAndGradients(pattern: [Int]) throws {
        var rng = RandomGenerator(seed: UInt64(pattern.count * 10 + pattern.last!))
        func build() -> (Sequential, Conv2d) {
            var generator = RandomGenerator(seed: 4)
            let conv = Conv2d(inputChannels: 2, outputChannels: 5, kernelSize: 3, padding: 1, generator: &generator)
            let kinds: [any Module] = [conv, ReLU(), MaxPool2d(kernelSize: 2), MaxPool2d(kernelSize: 3, stride: 2)]
            return (Sequential(pattern.map { kinds[$0] }), conv)
        }
        let values = (0..<(3 * 2 * 12 * 12)).map { _ in (rng.gaussian() * 4).rounded() / 4 }
        let (fusedNet, fusedConv) = build()
        let (layerNet, layerConv) = build()
        let fused = Tensor(shape: [3, 2, 12, 12], scalars: values).requiringGrad()
        let oneByOne = Tensor(shape: [3, 2, 12, 12], scalars: values).requiringGrad()
        let y = fusedNet(fused)
        let expected = layerNet.layers.reduce(oneByOne) { $1($0) }
        #expect(y.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern))
        let weights = Tensor(shape: y.shape, scalars: (0..<y.count).map { Float($0 % 7) - 3 })
        (y * weights).sum().backward()
        (expected * weights).sum().backward()
        for (a, b) in [(fused, oneByOne), (fusedConv.weight, layerConv.weight), (fusedConv.bias!, layerConv.bias!)] {
            let (fusedGradient, layerGradient) = (try #require(a.grad), try #require(b.grad))
            #expect(fusedGradient.scalars.map(\.bitPattern) == layerGradient.scalars.map(\.bitPattern))
        }
    }
}
