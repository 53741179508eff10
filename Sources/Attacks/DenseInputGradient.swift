import Foundation
import Models
import NeuralNet
import TensorCore

/// The forward pass and the input gradient of a classifier that is a plain stack of `Linear` and `ReLU`
/// layers (the MLP), written straight onto the GEMM kernel for the gradient attacks.
///
/// Why: an attack needs `d loss / d x` only, never weight gradients, and repeats the same forward and
/// backward pass for every step of an iterative attack. Going through autograd costs a graph per step,
/// fresh activation and gradient buffers per step, a separate pass per bias add, ReLU, ReLU mask and
/// softmax, and a copy of the input gradient at the leaf. Here each layer is one GEMM plus one fused
/// bias-and-ReLU pass, the backward pass is one GEMM per layer with the ReLU mask applied in place
/// (`dA_{l-1} = (dZ_l W_l) * 1[A_{l-1} > 0]`), no weight-gradient product is ever formed, and the
/// activation buffers are kept between calls. The arithmetic is the autograd path's, operation for
/// operation (same GEMM calls, same order), so the gradients are bitwise the same.
///
/// Not thread-safe: one attack run owns one instance.
final class DenseInputGradient {
    private struct Layer {
        let weight: Tensor
        let bias: Tensor?
        let inputs: Int
        let outputs: Int
        /// A ReLU follows this layer.
        var relu: Bool
    }

    private let layers: [Layer]
    /// Post-activation outputs of every layer, `[capacity, outputs]` each; the last holds the logits.
    private var activations: [UnsafeMutablePointer<Float>] = []
    /// Two gradient buffers of the widest hidden layer, used in turn by the backward pass.
    private var gradients: [UnsafeMutablePointer<Float>] = []
    private var capacity = 0
    /// Rows of the last forward pass (the backward pass needs its activations).
    private var rows = 0

    /// The number of classes (the last layer's width).
    var classCount: Int { layers[layers.count - 1].outputs }
    /// The input width.
    var inputCount: Int { layers[0].inputs }

    /// - Returns: nil unless the classifier's network is `Linear` layers, each optionally followed by one
    ///   `ReLU`, ending in a `Linear` (callers then use autograd).
    init?(_ classifier: Classifier) {
        var layers: [Layer] = []
        for module in classifier.network.layers {
            if let linear = module as? Linear {
                guard layers.last.map({ $0.outputs == linear.inputCount }) ?? true else { return nil }
                layers.append(
                    Layer(
                        weight: linear.weight, bias: linear.bias, inputs: linear.inputCount,
                        outputs: linear.outputCount, relu: false))
            } else if module is ReLU, let last = layers.last, !last.relu {
                layers[layers.count - 1].relu = true
            } else {
                return nil
            }
        }
        guard let last = layers.last, !last.relu else { return nil }
        self.layers = layers
    }

    deinit { release() }

    private func release() {
        for buffer in activations + gradients { buffer.deallocate() }
        activations = []
        gradients = []
    }

    /// Grows the buffers to hold `count` rows.
    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        release()
        capacity = count
        activations = layers.map { layer in
            UnsafeMutablePointer<Float>.allocate(capacity: count * layer.outputs)
        }
        let widest = layers.dropFirst().map(\.inputs).max() ?? 1
        gradients = (0..<2).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: count * widest) }
    }

    /// Logits of `x` `[rows, inputCount]`, left in the engine for `inputGradient`.
    /// - Returns: a pointer to the logits `[rows, classCount]`, valid until the next call.
    @discardableResult
    func forward(_ x: UnsafePointer<Float>, rows: Int) -> UnsafeMutablePointer<Float> {
        reserve(rows)
        self.rows = rows
        var input = x
        for (index, layer) in layers.enumerated() {
            let output = activations[index]
            GEMM.multiply(
                m: rows, n: layer.outputs, k: layer.inputs, a: input, lda: layer.inputs, transA: false,
                b: layer.weight.data, ldb: layer.inputs, transB: true, c: output, ldc: layer.outputs)
            DenseKernels.addBias(output, rows: rows, width: layer.outputs, bias: layer.bias?.data, relu: layer.relu)
            input = UnsafePointer(output)
        }
        return activations[layers.count - 1]
    }

    /// `d objective / d x` for the last `forward` input, from `logitGradient` `[rows, classCount]`
    /// (`d objective / d logits`), written into `gradient` `[rows, inputCount]`.
    func inputGradient(logitGradient: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        var upstream = logitGradient
        var spare = 0
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index]
            let target = index == 0 ? gradient : gradients[spare]
            // d A_{index-1} = dZ_index W_index (W stored [outputs, inputs]), then the ReLU mask.
            GEMM.multiply(
                m: rows, n: layer.inputs, k: layer.outputs, a: upstream, lda: layer.outputs, transA: false,
                b: layer.weight.data, ldb: layer.inputs, transB: false, c: target, ldc: layer.inputs)
            if index > 0, layers[index - 1].relu {
                DenseKernels.reluMask(target, activations: activations[index - 1], count: rows * layer.inputs)
            }
            upstream = UnsafePointer(target)
            spare = 1 - spare
        }
    }

    /// The logits of `x` as a tensor `[rows, classCount]`.
    func logits(_ x: Tensor) -> Tensor {
        let rows = x.shape[0]
        let logits = forward(x.data, rows: rows)
        return Tensor(
            shape: [rows, classCount], scalars: Array(UnsafeBufferPointer(start: logits, count: rows * classCount)))
    }

    /// d/dx of `direction * sum_i CE(Z(x_i), labels_i)` (softmax cross-entropy, fused), the mean
    /// cross-entropy and the logits, as `GradientAttackRun.lossGradient` defines them.
    func crossEntropyGradient(at x: Tensor, labels: [Int], direction: Float) -> (
        gradient: Tensor, loss: Double, logits: Tensor
    ) {
        let rows = x.shape[0]
        precondition(x.rank == 2 && x.shape[1] == inputCount && labels.count == rows, "crossEntropyGradient: shapes")
        let logits = logits(x)
        let classes = classCount
        let logitGradient = UnsafeMutablePointer<Float>.allocate(capacity: rows * classes)
        defer { logitGradient.deallocate() }
        let total = DenseKernels.softmaxCrossEntropy(
            logits.data, rows: rows, classes: classes, labels: labels, scale: direction, gradient: logitGradient)
        let gradient = Tensor(shape: x.shape, storage: TensorStorage(uninitializedCount: x.count))
        inputGradient(logitGradient: logitGradient, into: gradient.data)
        return (gradient, total / Double(max(rows, 1)), logits)
    }

    /// Predicted classes (argmax of the logits) for `x` `[rows, inputCount]`.
    func predictions(_ x: Tensor) -> [Int] {
        let rows = x.shape[0]
        let logits = forward(x.data, rows: rows)
        let classes = classCount
        return (0..<rows).map { row in
            let z = logits + row * classes
            var best = 0
            for k in 1..<classes where z[k] > z[best] { best = k }
            return best
        }
    }
}
