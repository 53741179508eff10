import Models
import NeuralNet
import TensorCore

/// Gradients of a scalar objective of a classifier's logits with respect to its input only.
enum InputGradient {
    /// Evaluates `objective(classifier(x))` and its gradient with respect to `x`.
    ///
    /// The classifier's parameters stop requiring gradients for the duration of the call (so no weight
    /// gradients are computed, nor accumulated into the caller's `.grad`) and are restored afterwards.
    /// - Parameters:
    ///   - x: `[batch, pixels]`, not modified.
    ///   - objective: maps logits `[batch, classes]` to a scalar tensor.
    /// - Returns: the gradient `[batch, pixels]`, the objective's value and the logits (detached).
    static func compute(_ classifier: Classifier, at x: Tensor, objective: (Tensor) -> Tensor) -> (
        gradient: Tensor, value: Float, logits: Tensor
    ) {
        withFrozenParameters(classifier) {
            let input = x.detached()
            input.requiresGrad = true
            let logits = classifier(input)
            let value = objective(logits)
            value.backward()
            let gradient = input.grad ?? Tensor(zeros: x.shape)
            return (gradient, value.item, logits.detached())
        }
    }

    /// Runs `body` with every parameter of `module` not requiring gradients, then restores the flags.
    static func withFrozenParameters<T>(_ module: any Module, _ body: () -> T) -> T {
        let parameters = module.parameters
        let flags = parameters.map(\.requiresGrad)
        for parameter in parameters { parameter.requiresGrad = false }
        defer { for (parameter, flag) in zip(parameters, flags) { parameter.requiresGrad = flag } }
        return body()
    }
}
