import Models
import NeuralNet
import TensorCore

/// Input gradients of objectives other than the cross-entropy, on the same two paths as
/// `crossEntropyGradient(at:)`: the `FrozenNetwork` of an MLP, or autograd with frozen parameters.
extension GradientAttackRun {
    /// d/dx of `sum_i l_i(Z(x_i))` for a per-image loss of the logits whose logit gradient is known in
    /// closed form (DLR): one forward pass, then the backward pass of `sum(Z * G)` with `G = dl/dZ` held fixed.
    /// - Parameters:
    ///   - x: `[batch, pixels]`.
    ///   - rowLoss: for image `i`, its logits (`classes` values), writes `dl_i/dZ_i` into the buffer and
    ///     returns `l_i`.
    /// - Returns: the gradient `[batch, pixels]`, the per-image losses and the logits `[batch, classes]`.
    func logitLossGradient(
        at x: Tensor,
        rowLoss: (_ image: Int, _ logits: UnsafePointer<Float>, _ gradient: UnsafeMutablePointer<Float>) -> Float
    ) -> (gradient: Tensor, losses: [Float], logits: Tensor) {
        gradientEvaluations += ExpectationOverTransformation.evaluations(x.shape[0])
        let batch = x.shape[0]
        var losses = [Float](repeating: 0, count: batch)
        func logitGradient(_ logits: Tensor) -> Tensor {
            let classes = logits.shape[1]
            let g = Tensor(zeros: logits.shape)
            for i in 0..<batch {
                losses[i] = rowLoss(i, logits.data + i * classes, g.data + i * classes)
            }
            return g
        }
        if let frozen {
            let logits = frozen(x)
            return (frozen.inputGradient(outputGradient: logitGradient(logits)), losses, logits)
        }
        let result = InputGradient.compute(classifier, at: x) { logits in
            (logits * logitGradient(logits.detached())).sum()
        }
        return (result.gradient, losses, result.logits)
    }

    /// The gradients of chosen logits with respect to the input, through the frozen network when there is
    /// one (as `InputGradient.classGradients`, which it matches).
    /// - Parameters: x `[n, pixels]`; `classes`: `n` lists of the same length `k`.
    /// - Returns: `gradients` laid out `[n * k, pixels]` (row `i * k + j` is d Z_{classes[i][j]} / dx_i) and the
    ///   logits at `x`, `[n, classCount]`.
    func logitGradients(at x: Tensor, classes: [[Int]]) -> (gradients: Tensor, logits: Tensor) {
        let (n, pixels) = (x.shape[0], x.shape[1])
        let k = classes.first?.count ?? 0
        gradientEvaluations += ExpectationOverTransformation.evaluations(n * k)
        guard let frozen else { return InputGradient.classGradients(classifier, at: x, classes: classes) }
        let repeated = Tensor(zeros: [n * k, pixels])
        for i in 0..<n {
            for j in 0..<k {
                (repeated.data + (i * k + j) * pixels).update(from: x.data + i * pixels, count: pixels)
            }
        }
        let output = frozen(repeated)
        let count = output.shape[1]
        let selector = Tensor(zeros: output.shape)
        for i in 0..<n {
            for j in 0..<k { selector.data[(i * k + j) * count + classes[i][j]] = 1 }
        }
        let gradients = frozen.inputGradient(outputGradient: selector)
        return (gradients, output.selectingRows((0..<n).map { $0 * k }))
    }
}
