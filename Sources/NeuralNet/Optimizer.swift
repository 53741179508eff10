import TensorCore

/// An update rule over a fixed, named list of parameters, with state that can be saved and restored.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates, with their dotted names.
    var parameters: [(name: String, tensor: Tensor)] { get }
    /// The learning rate; changeable between steps.
    var learningRate: Float { get set }
    /// Updates applied so far (`step()` calls, counting those before a restored state).
    var stepCount: Int { get }
    /// Applies one update from the parameters' accumulated gradients (parameters without one are skipped).
    func step()
    /// Named state tensors (e.g. `0.weight.exp_avg`) and scalar counters, for checkpoints.
    func stateDict() -> (tensors: [(name: String, tensor: Tensor)], counters: [String: Int])
    /// Restores state written by `stateDict()`; throws when names or shapes do not match.
    func loadStateDict(tensors: [String: Tensor], counters: [String: Int]) throws
    /// The name of the first parameter holding a NaN or an infinity, as the last `step()` left them
    /// (training stops there); nil when all are finite. By default a pass over the parameters; an
    /// optimizer may note it while it writes them.
    func nonFiniteParameter() -> String?
}

extension Optimizer {
    public func nonFiniteParameter() -> String? {
        parameters.first(where: { $0.tensor.hasNonFinite })?.name
    }

    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for p in parameters { p.tensor.grad = nil }
    }
}

extension Sequence where Element == any Optimizer {
    /// The name of the first of `parameters` holding a NaN or an infinity after these optimizers' last
    /// steps: the optimizers' own notes for the parameters they update, a pass over the others (an
    /// average of the weights, say). Training checks it after every step.
    public func nonFiniteParameter(among parameters: [(name: String, tensor: Tensor)]) -> String? {
        var updated = Set<ObjectIdentifier>()
        for optimizer in self {
            if let name = optimizer.nonFiniteParameter() { return name }
            for parameter in optimizer.parameters { updated.insert(ObjectIdentifier(parameter.tensor)) }
        }
        return parameters.first { !updated.contains(ObjectIdentifier($0.tensor)) && $0.tensor.hasNonFinite }?.name
    }
}

/// A mismatch between saved optimizer state and the model it is loaded into.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
}

func restore(_ target: Tensor, named name: String, from tensors: [String: Tensor]) throws {
    guard let saved = tensors[name] else { throw OptimizerStateError(description: "optimizer state lacks '\(name)'") }
    guard saved.shape == target.shape else {
        throw OptimizerStateError(
            description: "optimizer state '\(name)' has shape \(saved.shape), expected \(target.shape)")
    }
    target.assign(saved)
}
