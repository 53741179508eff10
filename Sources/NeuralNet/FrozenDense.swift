import TensorCore

/// One dense layer of a `FrozenNetwork`: `y = activation(x W^T + b)`, with the weight `[outputs, inputs]`
/// and the bias `[outputs]` in `Linear`'s layout.
///
/// The tensors are shared with the module they come from, not copied: a frozen network sees the
/// weights as they are when it runs (build a new network after the weights change shape; a network that
/// packs its weights keeps the values of the moment it was built).
public struct FrozenDense {
    /// The function applied after the affine map, each the same kernel as its autograd op.
    public enum Activation: Sendable, Equatable {
        /// No activation (the last layer of a classifier, the noise predictor's output).
        case identity
        /// `max(z, 0)` (`Tensor.relu`).
        case relu
        /// `z * sigmoid(z)` (`Tensor.silu`).
        case silu
    }

    /// `[outputs, inputs]`.
    public let weight: Tensor
    /// `[outputs]`, or nil for a bias-free layer.
    public let bias: Tensor?
    public let activation: Activation

    /// - Parameters:
    ///   - weight: `[outputs, inputs]`, as `Linear.weight`.
    ///   - bias: `[outputs]`, as `Linear.bias`.
    public init(weight: Tensor, bias: Tensor?, activation: Activation = .identity) {
        precondition(
            weight.rank == 2 && weight.count > 0, "FrozenDense: weight \(weight.shape) is not [outputs, inputs]")
        precondition(
            bias.map { $0.count == weight.shape[0] } ?? true, "FrozenDense: bias for \(weight.shape[0]) outputs")
        self.weight = weight
        self.bias = bias
        self.activation = activation
    }

    /// A `Linear` layer followed by `activation`.
    public init(_ linear: Linear, activation: Activation = .identity) {
        self.init(weight: linear.weight, bias: linear.bias, activation: activation)
    }

    public var inputCount: Int { weight.shape[1] }
    public var outputCount: Int { weight.shape[0] }

    /// The activation a module stands for, or nil when the module is not one the fast path knows.
    static func activation(of module: any Module) -> Activation? {
        switch module {
        case is ReLU: .relu
        case is SiLU: .silu
        default: nil
        }
    }

    /// `outputs = activation(outputs)` over `[rows, outputCount]`, reading the pre-activation from
    /// `preActivation` (the same buffer as `outputs` for ReLU and identity, which need only the output
    /// in the backward pass).
    func activate(_ preActivation: UnsafeMutablePointer<Float>, into outputs: UnsafeMutablePointer<Float>, rows: Int) {
        let count = rows * outputCount
        switch activation {
        case .identity: break
        case .relu: ElementwiseKernels.relu(preActivation, outputs, count)
        case .silu: ElementwiseKernels.silu(preActivation, outputs, count)
        }
    }

    /// The bias (when `addsBias`) and the activation over columns `columns` of `[rows, outputCount]`:
    /// `activate` and the bias add it follows, one run of columns at a time (each element's value is
    /// the same as theirs), for the packed product's threads (`GEMM.multiply(..., finished:)`).
    func finish(
        _ preActivation: UnsafeMutablePointer<Float>, into outputs: UnsafeMutablePointer<Float>, rows: Int,
        columns: Range<Int>, addsBias: Bool
    ) {
        let width = outputCount
        for r in 0..<rows {
            let z = preActivation + r * width + columns.lowerBound
            if addsBias, let bias {
                ElementwiseKernels.addRows(z, rows: 1, width: columns.count, bias.data + columns.lowerBound)
            }
            let y = outputs + r * width + columns.lowerBound
            switch activation {
            case .identity: break
            case .relu: ElementwiseKernels.relu(z, y, columns.count)
            case .silu: ElementwiseKernels.silu(z, y, columns.count)
            }
        }
    }

    /// `g = g * activation'` in place over `[rows, outputCount]`: the activation's backward pass, from
    /// the layer's output (ReLU) or its pre-activation (SiLU).
    func activationBackward(
        _ g: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, preActivation: UnsafePointer<Float>,
        rows: Int
    ) {
        let count = rows * outputCount
        switch activation {
        case .identity: break
        case .relu: ElementwiseKernels.reluBackward(g, output, g, count)
        case .silu: ElementwiseKernels.siluBackward(g, preActivation, g, count)
        }
    }
}
