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

    /// Runs `body` with every parameter not requiring gradients, then restores each one's flag: a backward
    /// pass inside `body` computes input gradients only and leaves the parameters' `.grad` as it was.
    public func withFrozenParameters<T>(_ body: () throws -> T) rethrows -> T {
        let parameters = self.parameters
        let flags = parameters.map(\.requiresGrad)
        for parameter in parameters { parameter.requiresGrad = false }
        defer { for (parameter, flag) in zip(parameters, flags) { parameter.requiresGrad = flag } }
        return try body()
    }
}

/// Prefixes child parameter names: `prefix.name`.
public func prefixed(_ prefix: String, _ parameters: [(name: String, tensor: Tensor)]) -> [(
    name: String, tensor: Tensor
)] {
    parameters.map { (name: "\(prefix).\($0.name)", tensor: $0.tensor) }
}
