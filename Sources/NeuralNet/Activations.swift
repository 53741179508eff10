import TensorCore

/// Parameter-free layers: activations, reshapes and dropout. Each wraps the Tensor function of the
/// same name (`relu(_:)` and `ReLU`), so a network can be written as a `Sequential`.
public final class ReLU: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.relu() }
}

public final class LeakyReLU: Module {
    public let slope: Float
    public init(slope: Float = 0.01) { self.slope = slope }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.leakyReLU(slope: slope) }
}

public final class Sigmoid: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.sigmoid() }
}

public final class Tanh: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.tanh() }
}

public final class SiLU: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.silu() }
}

/// [batch, ...] -> [batch, rest], as PyTorch's `nn.Flatten()`.
public final class Flatten: Module {
    public init() {}
    public func callAsFunction(_ input: Tensor) -> Tensor { input.flattened() }
}

/// [batch, n] -> [batch] + shape (e.g. 784 -> 1x28x28 for a CNN input).
public final class Unflatten: Module {
    public let shape: [Int]
    public init(shape: [Int]) { self.shape = shape }
    public func callAsFunction(_ input: Tensor) -> Tensor { input.reshaped([input.shape[0]] + shape) }
}

/// Inverted dropout (Srivastava et al. 2014): zeroes each element with probability `rate` in training
/// and scales the survivors by 1/(1-rate); the identity in evaluation.
public final class Dropout: Module {
    public let rate: Float
    public private(set) var isTraining = true
    private var generator: RandomGenerator

    public init(rate: Float, seed: UInt64 = 0) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
        generator = RandomGenerator(seed: seed)
    }

    public func setTraining(_ training: Bool) { isTraining = training }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        guard isTraining && rate > 0 else { return input }
        let mask = Tensor(zeros: input.shape)
        let keep = 1 / (1 - rate)
        for i in 0..<mask.count { mask.data[i] = generator.uniform() < rate ? 0 : keep }
        return input * mask
    }
}

/// Layers applied in order; children are named "0", "1", ... as in PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    public let layers: [any Module]

    public init(_ layers: [any Module]) { self.layers = layers }

    /// The layers in order, except that a ReLU followed by a max pooling runs as the pooling followed by
    /// the ReLU: the maximum of rectified values is the rectified maximum, the gradient reaches the same
    /// input (only where the window's maximum is positive), and the ReLU's two passes then cover a quarter
    /// of the elements (they were 11% of a CNN training step). A convolution followed by a 2x2 pooling
    /// (with or without that ReLU between) runs as one op, `Conv2d.maxPooled`, which never stores the
    /// convolution's full-size output. Both give the layers' values and gradients bitwise.
    /// `Classifier.activations`, which reads each layer's own output, runs the layers one by one.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        var x = input
        var index = 0
        func layer<T>(_ offset: Int, as kind: T.Type) -> T? {
            index + offset < layers.count ? layers[index + offset] as? T : nil
        }
        while index < layers.count {
            let rectified = layer(1, as: ReLU.self) != nil
            if let conv = layer(0, as: Conv2d.self), layer(rectified ? 2 : 1, as: MaxPool2d.self)?.isTwoByTwo == true {
                x = rectified ? conv.maxPooled(x).relu() : conv.maxPooled(x)
                index += rectified ? 3 : 2
            } else if layer(0, as: ReLU.self) != nil, let pool = layer(1, as: MaxPool2d.self) {
                x = pool(x).relu()
                index += 2
            } else {
                x = layers[index](x)
                index += 1
            }
        }
        return x
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { prefixed(String($0.offset), $0.element.namedParameters) }
    }

    public func setTraining(_ training: Bool) {
        for layer in layers { layer.setTraining(training) }
    }
}
