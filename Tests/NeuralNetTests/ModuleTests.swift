import Testing
import TensorCore
@testable import NeuralNet

@Suite struct ModuleTests {
    @Test func sequentialUsesPyTorchNamesAndLayouts() {
        var rng = RandomGenerator(seed: 1)
        let net = Sequential([
            Conv2d(inputChannels: 1, outputChannels: 4, kernelSize: 3, padding: 1, generator: &rng), ReLU(),
            MaxPool2d(kernelSize: 2), Flatten(), Linear(inputCount: 4 * 14 * 14, outputCount: 10, generator: &rng),
        ])
        #expect(net.namedParameters.map(\.name) == ["0.weight", "0.bias", "4.weight", "4.bias"])
        #expect(net.namedParameters.map(\.tensor.shape) == [[4, 1, 3, 3], [4], [10, 784], [10]])
        let out = net(Tensor(zeros: [2, 1, 28, 28]))
        #expect(out.shape == [2, 10])
    }

    @Test func defaultInitialisationBounds() {
        var rng = RandomGenerator(seed: 2)
        let linear = Linear(inputCount: 100, outputCount: 50, generator: &rng)
        let bound: Float = 0.1
        #expect(linear.weight.scalars.allSatisfy { abs($0) <= bound })
        #expect(linear.weight.scalars.map { abs($0) }.max()! > 0.09)
    }

    @Test func dropoutIsIdentityInEvaluation() {
        let dropout = Dropout(rate: 0.5, seed: 3)
        let x = Tensor(repeating: 1, shape: [1000])
        let trained = dropout(x).scalars
        #expect(trained.contains(0) && trained.contains(2))
        dropout.setTraining(false)
        #expect(dropout(x).scalars == x.scalars)
    }

    @Test func tinyMLPLearnsXor() {
        var rng = RandomGenerator(seed: 4)
        let net = Sequential([
            Linear(inputCount: 2, outputCount: 16, generator: &rng), Tanh(),
            Linear(inputCount: 16, outputCount: 2, generator: &rng),
        ])
        let adam = Adam(parameters: net.namedParameters, learningRate: 0.05)
        let x = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = [0, 1, 1, 0]
        var first: Float = 0
        var last: Float = 0
        for step in 0..<200 {
            adam.zeroGradients()
            let loss = Loss.crossEntropy(logits: net(x), labels: y)
            if step == 0 { first = loss.item }
            last = loss.item
            loss.backward()
            adam.step()
        }
        #expect(last < first * 0.1)
        #expect(noGrad { net(x) }.argmax() == y)
    }
}
