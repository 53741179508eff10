import TensorCore

/// A network building block: a forward function and an ordered list of named parameters.
///
/// Parameter names follow PyTorch's dotted convention (`0.weight`, `encoder.2.bias`) and layouts
/// (Linear `[out, in]`, Conv2d `[out, in, kh, kw]`), so checkpoints move both ways between Manifold and
/// PyTorch. Parameters are listed explicitly by each layer, never discovered by reflection.
public protocol Module: AnyObject {
    /// The forward pass.
    func callAsFunction(_ input: Tensor) -> Tensor
    /// Trainable tensors with their dotted names, in a stable order.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// Switches training-only behaviour (dropout) on or off, recursively.
    func setTraining(_ training: Bool)
}

extension Module {
    public var namedParameters: [(name: String, tensor: Tensor)] { [] }
    public func setTraining(_ training: Bool) {}

    /// The parameters without names.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for p in parameters { p.grad = nil }
    }
}

/// Prefixes child parameter names: `prefix.name`.
public func prefixed(_ prefix: String, _ parameters: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
    parameters.map { (name: "\(prefix).\($0.name)", tensor: $0.tensor) }
}
