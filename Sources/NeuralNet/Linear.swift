import Foundation
import TensorCore

/// A fully connected layer `y = x W^T + b` with PyTorch's layout (`weight [out, in]`) and default
/// initialisation (uniform in ±1/sqrt(in) for weight and bias, i.e. Kaiming-uniform with a = sqrt(5)).
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let inputCount: Int
    public let outputCount: Int

    public init(inputCount: Int, outputCount: Int, bias: Bool = true, generator: inout RandomGenerator) {
        precondition(inputCount > 0 && outputCount > 0, "Linear needs positive sizes")
        self.inputCount = inputCount
        self.outputCount = outputCount
        (weight, self.bias) = uniformWeightAndBias(
            weightShape: [outputCount, inputCount], biasCount: outputCount, fanIn: inputCount, bias: bias,
            generator: &generator)
    }

    /// - Parameter input: [batch, inputCount]. - Returns: [batch, outputCount].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.linear(weight: weight, bias: bias)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { weightAndBias(weight, bias) }
}
