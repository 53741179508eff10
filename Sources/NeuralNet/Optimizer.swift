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
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for p in parameters { p.tensor.grad = nil }
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
