import TensorCore

/// `FrozenNetwork` on tensors: the output, the predicted classes, and the input gradient of the summed
/// softmax cross-entropy (what the gradient attacks ascend).
extension FrozenNetwork {
    /// The network's output for `x` `[rows, inputCount]`, as a fresh tensor `[rows, outputCount]`.
    /// - Parameter biasRows: see `forward(_:rows:biasRows:)`.
    public func callAsFunction(_ x: Tensor, biasRows: [[[Float]]]? = nil) -> Tensor {
        precondition(
            x.rank == 2 && x.shape[1] == inputCount, "FrozenNetwork: input \(x.shape) for \(inputCount) inputs")
        let rows = x.shape[0]
        let output = forward(x.data, rows: rows, biasRows: biasRows)
        let result = Tensor(shape: [rows, outputCount], storage: TensorStorage(uninitializedCount: rows * outputCount))
        result.data.update(from: output, count: result.count)
        return result
    }

    /// `d objective / d x` for the last `forward` input, from `outputGradient` `[rows, outputCount]`.
    public func inputGradient(outputGradient: Tensor) -> Tensor {
        precondition(
            outputGradient.shape == [rows, outputCount], "FrozenNetwork: output gradient \(outputGradient.shape)")
        let gradient = Tensor(shape: [rows, inputCount], storage: TensorStorage(uninitializedCount: rows * inputCount))
        inputGradient(outputGradient: outputGradient.data, into: gradient.data)
        return gradient
    }

    /// Predicted classes (argmax of the output, the first on ties) for `x` `[rows, inputCount]`.
    public func predictions(_ x: Tensor) -> [Int] {
        let rows = x.shape[0]
        let output = forward(x.data, rows: rows)
        let classes = outputCount
        return (0..<rows).map { row in
            let z = output + row * classes
            var best = 0
            for k in 1..<classes where z[k] > z[best] { best = k }
            return best
        }
    }

    /// d/dx of `scale * sum_i CE(Z(x_i), labels_i)` (softmax cross-entropy of the output `Z`), with the mean
    /// cross-entropy and the output, computed as autograd computes
    /// `Loss.crossEntropy(logits:labels:).scaled(by: scale * rows)` and its backward pass.
    /// - Parameters: x `[rows, inputCount]`; one label per row.
    public func crossEntropyInputGradient(at x: Tensor, labels: [Int], scale: Float) -> (
        gradient: Tensor, loss: Double, logits: Tensor
    ) {
        let rows = x.shape[0]
        precondition(
            x.rank == 2 && x.shape[1] == inputCount && labels.count == rows, "crossEntropyInputGradient: shapes")
        let logits = self(x)
        let classes = outputCount
        let logitGradient = Tensor(shape: [rows, classes], storage: TensorStorage(uninitializedCount: rows * classes))
        let total = Loss.softmaxCrossEntropyRows(
            logits.data, rows: rows, classes: classes, labels: labels, probabilities: logitGradient.data)
        Loss.softmaxCrossEntropyGradient(
            probabilities: logitGradient.data, rows: rows, classes: classes, labels: labels, scale: scale,
            into: logitGradient.data)
        return (inputGradient(outputGradient: logitGradient), total / Double(max(rows, 1)), logits)
    }
}
