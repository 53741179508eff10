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
    ///
    /// With `ExpectationOverTransformation.draws` above 1 the gradient, the value and the logits are the
    /// averages over that many evaluations (each a new draw of a randomised model's randomness).
    static func compute(_ classifier: Classifier, at x: Tensor, objective: (Tensor) -> Tensor) -> (
        gradient: Tensor, value: Float, logits: Tensor
    ) {
        let draws = ExpectationOverTransformation.draws
        guard draws > 1 else { return single(classifier, at: x, objective: objective) }
        var total = single(classifier, at: x, objective: objective)
        for _ in 1..<draws {
            let next = single(classifier, at: x, objective: objective)
            total.gradient.addInPlace(next.gradient)
            total.logits.addInPlace(next.logits)
            total.value += next.value
        }
        let scale = 1 / Float(draws)
        return (total.gradient.scaled(by: scale), total.value * scale, total.logits.scaled(by: scale))
    }

    private static func single(_ classifier: Classifier, at x: Tensor, objective: (Tensor) -> Tensor) -> (
        gradient: Tensor, value: Float, logits: Tensor
    ) {
        classifier.withFrozenParameters {
            let input = x.detached()
            input.requiresGrad = true
            let logits = classifier(input)
            let value = objective(logits)
            // A model with a non-differentiable step (a masking defence) cuts the graph: its gradient is zero.
            guard value.requiresGrad else { return (Tensor(zeros: x.shape), value.item, logits.detached()) }
            value.backward()
            let gradient = input.grad ?? Tensor(zeros: x.shape)
            return (gradient, value.item, logits.detached())
        }
    }
}

extension InputGradient {
    /// The gradients of chosen logits with respect to the input, all in one backward pass: every image is
    /// repeated once per requested class and the objective is the sum of each copy's chosen logit.
    /// - Parameters:
    ///   - x: `[n, pixels]`, not modified.
    ///   - classes: `n` lists of the same length `k`: the logits whose gradients are wanted, per image.
    /// - Returns: `gradients` laid out `[n, k, pixels]` (row `i * k + j` is d Z_{classes[i][j]} / dx_i) and the
    ///   logits at `x`, `[n, classCount]`.
    static func classGradients(_ classifier: Classifier, at x: Tensor, classes: [[Int]]) -> (
        gradients: Tensor, logits: Tensor
    ) {
        let (n, pixels) = (x.shape[0], x.shape[1])
        let k = classes.first?.count ?? 0
        precondition(classes.count == n && classes.allSatisfy { $0.count == k }, "classGradients: ragged classes")
        let repeated = Tensor(zeros: [n * k, pixels])
        for i in 0..<n {
            for j in 0..<k {
                (repeated.data + (i * k + j) * pixels).update(from: x.data + i * pixels, count: pixels)
            }
        }
        let flat = classes.flatMap { $0 }
        let result = compute(classifier, at: repeated) { logits in logits.gather(indices: flat).sum() }
        let logits = result.logits.selectingRows((0..<n).map { $0 * k })
        return (result.gradient, logits)
    }
}
