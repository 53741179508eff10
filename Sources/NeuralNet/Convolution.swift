import TensorCore

/// 2-D convolution with PyTorch's layout (`weight [out, in, kh, kw]`) and default initialisation
/// (uniform in ±1/sqrt(in*kh*kw)).
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, generator: inout RandomGenerator
    ) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0, "Conv2d needs positive sizes")
        self.stride = stride
        self.padding = padding
        (weight, self.bias) = uniformWeightAndBias(
            weightShape: [outputChannels, inputChannels, kernelSize, kernelSize], biasCount: outputChannels,
            fanIn: inputChannels * kernelSize * kernelSize, bias: bias, generator: &generator)
    }

    /// - Parameter input: [batch, in, H, W]. - Returns: [batch, out, H', W'].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    /// The convolution followed by a 2x2, stride-2 max pooling, in one op (`Tensor.conv2dMaxPool`: the
    /// same values and gradients as the two layers, without storing the convolution's output).
    public func maxPooled(_ input: Tensor) -> Tensor {
        input.conv2dMaxPool(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { weightAndBias(weight, bias) }
}

/// Transposed 2-D convolution with PyTorch's layout (`weight [in, out, kh, kw]`) and initialisation
/// (PyTorch computes fan-in from dimension 1: uniform in ±1/sqrt(out*kh*kw)).
public final class ConvTranspose2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int

    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, generator: inout RandomGenerator
    ) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0, "ConvTranspose2d needs positive sizes")
        self.stride = stride
        self.padding = padding
        (weight, self.bias) = uniformWeightAndBias(
            weightShape: [inputChannels, outputChannels, kernelSize, kernelSize], biasCount: outputChannels,
            fanIn: outputChannels * kernelSize * kernelSize, bias: bias, generator: &generator)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { weightAndBias(weight, bias) }
}

/// Max pooling over square windows (no padding); stride defaults to the window size as in PyTorch.
public final class MaxPool2d: Module {
    public let kernelSize: Int
    public let stride: Int

    public init(kernelSize: Int, stride: Int? = nil) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernel: kernelSize, stride: stride)
    }

    /// Whether this is the 2x2, stride-2 pooling that `Conv2d.maxPooled` applies.
    public var isTwoByTwo: Bool { kernelSize == 2 && stride == 2 }
}
