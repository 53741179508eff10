import TensorCore

/// Group normalisation (Wu and He 2018) with PyTorch's `nn.GroupNorm` parameters and initialisation:
/// `weight` ones and `bias` zeros, `[channels]`, epsilon 1e-5. The normalisation of DDPM's U-Net.
public final class GroupNorm: Module {
    public let groups: Int
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5) {
        precondition(
            groups >= 1 && channels >= 1 && channels % groups == 0,
            "GroupNorm: \(channels) channels in \(groups) groups")
        self.groups = groups
        self.epsilon = epsilon
        weight = Tensor(repeating: 1, shape: [channels])
        bias = Tensor(zeros: [channels])
    }

    /// - Parameter input: [batch, channels, ...].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.groupNorm(groups: groups, weight: weight, bias: bias, epsilon: epsilon)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}
