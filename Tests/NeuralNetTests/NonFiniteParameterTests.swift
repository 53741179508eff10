import TensorCore
import Testing

@testable import NeuralNet

/// `Adam` notes the parameters its step leaves NaN or infinite while it writes them, and training's
/// check (`nonFiniteParameter(among:)`) names the same parameter a pass over all of them would, on
/// tensors large enough to split over the threads and in the vector loops' remainders.
@Suite struct NonFiniteParameterTests {
    /// Parameters of 40,000 (split over threads, 16-lane body) and 37 (a remainder) elements.
    static func parameters() -> [(name: String, tensor: Tensor)] {
        var generator = RandomGenerator(seed: 41)
        return [("large", 40_000), ("small", 37), ("last", 100)].map { name, count in
            let tensor = Tensor.randomNormal([count], generator: &generator)
            tensor.grad = Tensor.randomNormal([count], generator: &generator)
            return (name, tensor)
        }
    }

    static func scan(_ parameters: [(name: String, tensor: Tensor)]) -> String? {
        parameters.first(where: { $0.tensor.hasNonFinite })?.name
    }

    @Test func finiteStepsNoteNothing() {
        let parameters = Self.parameters()
        let adam = Adam(parameters: parameters)
        #expect(adam.nonFiniteParameter() == nil)
        adam.step()
        #expect(adam.nonFiniteParameter() == nil && Self.scan(parameters) == nil)
    }

    /// A NaN gradient in the body or the remainder, and an update that overflows to infinity.
    @Test(arguments: [("large", 12_345), ("large", 39_999), ("small", 3), ("small", 36)])
    func aNonFiniteGradientIsNotedForItsParameter(name: String, index: Int) {
        let parameters = Self.parameters()
        let adam = Adam(parameters: parameters)
        adam.step()
        let target = parameters.first { $0.name == name }!.tensor
        target.grad!.data[index] = .nan
        adam.step()
        #expect(adam.nonFiniteParameter() == name)
        #expect(Self.scan(parameters) == name)
    }

    @Test func anUpdateThatOverflowsIsNoted() {
        let parameters = Self.parameters()
        let last = parameters[2].tensor
        // The first step moves every parameter by the learning rate: -3.3e38 - 3e37 overflows, the
        // others stay finite.
        last.data[99] = -3.3e38
        last.grad!.data[99] = 1
        let adam = Adam(parameters: parameters, learningRate: 3e37)
        adam.step()
        #expect(last.data[99] == -.infinity)
        #expect(adam.nonFiniteParameter() == "last" && Self.scan(parameters) == "last")
    }

    /// A parameter without a gradient is not written, but a NaN it holds is still found; so is one in a
    /// tensor no optimizer updates (a weight average), and before any step the parameters are read.
    @Test func parametersTheStepDoesNotWriteAreRead() {
        let parameters = Self.parameters()
        parameters[1].tensor.grad = nil
        parameters[1].tensor.data[5] = .infinity
        let adam = Adam(parameters: parameters)
        #expect(adam.nonFiniteParameter() == "small")
        adam.step()
        #expect(adam.nonFiniteParameter() == "small")

        let clean = Self.parameters()
        let average = Tensor(shape: [3], scalars: [0, .nan, 0])
        let optimizer = Adam(parameters: clean)
        optimizer.step()
        let all = clean + [("ema.large", average)]
        #expect([optimizer as any Optimizer].nonFiniteParameter(among: all) == "ema.large")
        #expect([optimizer as any Optimizer].nonFiniteParameter(among: clean) == nil)
    }
}
