import TensorCore

/// The inference fast path of a stack of dense layers whose weights stay fixed while it runs: the
/// forward pass and the gradient with respect to the input, with no autograd graph and no weight
/// gradients. The gradient attacks (an MLP's `d loss / d x`, many steps on one batch) and the DDPM
/// sampler (the noise MLP, 1,000 steps) share it.
///
/// Why: autograd costs a graph per call, fresh activation and gradient buffers per call, a copy of the
/// input gradient at the leaf, and weight-gradient products nobody reads. Here each layer is one GEMM,
/// the bias add and the activation in place, the backward pass is one GEMM per layer with the
/// activation's derivative applied in place (`dA_{l-1} = (dZ_l W_l) * f'_{l-1}`), and the buffers are kept
/// between calls. The kernels are autograd's own (`GEMM.multiply`, `ElementwiseKernels`), so:
/// - by default every product is the one `Tensor.linear` computes, and forward and input gradient equal
///   the autograd path's bit for bit;
/// - with `packsWeights` the weights are packed once into GEMM's panel layout (`GEMMPackedMatrix`) instead
///   of on every product: faster when the same weights multiply many batches, equal up to rounding
///   (GEMM splits work across threads differently), and a snapshot of the weights' values.
///
/// Per-row biases (`forward(_:rows:biasRows:)`) replace the layers' own: DDPM's `t`-dependent terms. They
/// seed the product's output (`C = bias row + x W^T`, as the sampler always summed them).
///
/// Not thread-safe: one attack run or one sampler owns one instance.
public final class FrozenNetwork {
    /// A module that the fast path does not handle, with its place in the `Sequential`.
    public struct UnsupportedLayer: Error, CustomStringConvertible {
        /// Index of the module in `Sequential.layers`.
        public let index: Int
        /// What the module is and why it cannot be taken.
        public let reason: String
        public var description: String { "frozen network: layer \(index) \(reason)" }
    }

    /// The layers, first to last.
    public let layers: [FrozenDense]
    /// Whether the products use weights packed once (see the type's discussion).
    public let packsWeights: Bool
    /// `op(B) = W^T` per layer for the forward products, when `packsWeights`.
    private let forwardPacked: [GEMMPackedMatrix]
    /// `B = W` per layer for the backward products, packed on the first `inputGradient` call.
    private var backwardPacked: [GEMMPackedMatrix] = []
    /// Per layer, the output after the activation `[capacity, outputs]`; the last holds the network's output.
    private var outputs: [UnsafeMutablePointer<Float>] = []
    /// Per layer, the pre-activation where the backward pass needs it (SiLU), else the output buffer itself.
    private var preActivations: [UnsafeMutablePointer<Float>] = []
    /// Two gradient buffers of the widest layer, used in turn by the backward pass.
    private var gradients: [UnsafeMutablePointer<Float>] = []
    private var capacity = 0
    /// Rows of the last forward pass (the backward pass reads its buffers).
    public private(set) var rows = 0

    /// - Parameters:
    ///   - layers: each layer's inputs equal the previous layer's outputs.
    ///   - packsWeights: pack the weights once for the forward products (see the type's discussion).
    public init(layers: [FrozenDense], packsWeights: Bool = false) {
        precondition(!layers.isEmpty, "FrozenNetwork: no layers")
        for (previous, next) in zip(layers, layers.dropFirst()) {
            precondition(previous.outputCount == next.inputCount, "FrozenNetwork: widths do not chain")
        }
        self.layers = layers
        self.packsWeights = packsWeights
        forwardPacked =
            packsWeights
            ? layers.map { layer in
                GEMMPackedMatrix(
                    k: layer.inputCount, n: layer.outputCount, b: layer.weight.data, ldb: layer.inputCount,
                    transB: true)
            } : []
    }

    /// The fast path of `network`: `Linear` modules, each followed by at most one `ReLU` or `SiLU`.
    /// - Throws: `UnsupportedLayer` naming the first module that is anything else (a convolution, a
    ///   second activation in a row, dropout...); callers then use autograd.
    public convenience init(_ network: Sequential, packsWeights: Bool = false) throws(UnsupportedLayer) {
        var layers: [FrozenDense] = []
        for (index, module) in network.layers.enumerated() {
            if let linear = module as? Linear {
                if let last = layers.last, last.outputCount != linear.inputCount {
                    throw UnsupportedLayer(
                        index: index, reason: "takes \(linear.inputCount) inputs after \(last.outputCount) outputs")
                }
                layers.append(FrozenDense(linear))
            } else if let activation = FrozenDense.activation(of: module), let last = layers.last,
                last.activation == .identity
            {
                layers[layers.count - 1] = FrozenDense(weight: last.weight, bias: last.bias, activation: activation)
            } else {
                let what =
                    FrozenDense.activation(of: module) == nil
                    ? "is a \(type(of: module))"
                    : layers.isEmpty ? "is a \(type(of: module)) before any Linear" : "is a second activation in a row"
                throw UnsupportedLayer(
                    index: index,
                    reason: "\(what); the fast path takes Linear layers, each followed by at most one ReLU or SiLU")
            }
        }
        guard !layers.isEmpty else { throw UnsupportedLayer(index: 0, reason: "missing: the network is empty") }
        self.init(layers: layers, packsWeights: packsWeights)
    }

    deinit { release() }

    /// The input width.
    public var inputCount: Int { layers[0].inputCount }
    /// The output width (the number of classes for a classifier).
    public var outputCount: Int { layers[layers.count - 1].outputCount }

    private func release() {
        for (output, preActivation) in zip(outputs, preActivations) where output != preActivation {
            preActivation.deallocate()
        }
        for buffer in outputs + gradients { buffer.deallocate() }
        (outputs, preActivations, gradients) = ([], [], [])
    }

    /// Grows the buffers to hold `count` rows.
    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        release()
        capacity = count
        outputs = layers.map { UnsafeMutablePointer<Float>.allocate(capacity: count * $0.outputCount) }
        preActivations = zip(layers, outputs).map { layer, output in
            layer.activation == .silu
                ? UnsafeMutablePointer<Float>.allocate(capacity: count * layer.outputCount) : output
        }
        let hiddenInputs = layers.dropFirst().map(\.inputCount)
        let activated = layers.filter { $0.activation != .identity }.map(\.outputCount)
        let widest = (hiddenInputs + activated).max() ?? 1
        gradients = (0..<2).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: count * widest) }
    }

    /// The network's output for `input` `[rows, inputCount]`, keeping every layer's values for
    /// `inputGradient`.
    /// - Parameter biasRows: nil, or per layer and per row the bias row `[outputs]` that replaces the
    ///   layer's own bias (`biasRows[layer][row]`).
    /// - Returns: the output `[rows, outputCount]`, valid until the next call.
    @discardableResult
    public func forward(_ input: UnsafePointer<Float>, rows: Int, biasRows: [[[Float]]]? = nil) -> UnsafePointer<Float>
    {
        precondition(
            biasRows.map { $0.count == layers.count && $0.allSatisfy { $0.count == rows } } ?? true,
            "FrozenNetwork: bias rows for \(layers.count) layers and \(rows) rows")
        reserve(rows)
        self.rows = rows
        var x = input
        for (index, layer) in layers.enumerated() {
            let width = layer.outputCount
            let z = preActivations[index]
            if let biasRows {
                for (r, row) in biasRows[index].enumerated() {
                    precondition(row.count == width, "FrozenNetwork: bias row of \(row.count) for \(width) outputs")
                    row.withUnsafeBufferPointer { (z + r * width).update(from: $0.baseAddress!, count: width) }
                }
            }
            if packsWeights {
                // The bias and activation run on the product's threads, on each run of columns it finishes.
                let finish = LayerFinish(
                    layer: layer, preActivation: z, outputs: outputs[index], rows: rows, addsBias: biasRows == nil)
                GEMM.multiply(
                    m: rows, a: x, lda: layer.inputCount, packed: forwardPacked[index], c: z, ldc: width,
                    beta: biasRows == nil ? 0 : 1, finished: { finish.run(columns: $0) })
            } else {
                multiply(layer: index, rows: rows, input: x, into: z, beta: biasRows == nil ? 0 : 1)
                if biasRows == nil, let bias = layer.bias {
                    ElementwiseKernels.addRows(z, rows: rows, width: width, bias.data)
                }
                layer.activate(z, into: outputs[index], rows: rows)
            }
            x = UnsafePointer(outputs[index])
        }
        return x
    }

    /// `output = input W^T + beta output` for one layer, on the stored weight.
    private func multiply(
        layer index: Int, rows: Int, input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, beta: Float
    ) {
        let layer = layers[index]
        GEMM.multiply(
            m: rows, n: layer.outputCount, k: layer.inputCount, a: input, lda: layer.inputCount, transA: false,
            b: layer.weight.data, ldb: layer.inputCount, transB: true, c: output, ldc: layer.outputCount,
            beta: beta)
    }

    /// `d objective / d input` for the last `forward` input, from `outputGradient` `[rows, outputCount]`
    /// (`d objective / d output`), written into `gradient` `[rows, inputCount]`.
    public func inputGradient(outputGradient: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        if packsWeights && backwardPacked.isEmpty {
            backwardPacked = layers.map { layer in
                GEMMPackedMatrix(
                    k: layer.outputCount, n: layer.inputCount, b: layer.weight.data, ldb: layer.inputCount,
                    transB: false)
            }
        }
        var upstream = outputGradient
        var spare = 0
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[index]
            if layer.activation != .identity {
                // d Z = d A * f'(Z), in place unless the gradient is still the caller's.
                let target = upstream == outputGradient ? gradients[spare] : UnsafeMutablePointer(mutating: upstream)
                if upstream == outputGradient {
                    target.update(from: upstream, count: rows * layer.outputCount)
                    spare = 1 - spare
                }
                layer.activationBackward(
                    target, output: outputs[index], preActivation: preActivations[index], rows: rows)
                upstream = UnsafePointer(target)
            }
            // d A_{index-1} = dZ_index W_index (W stored [outputs, inputs]).
            let target = index == 0 ? gradient : gradients[spare]
            if packsWeights {
                GEMM.multiply(
                    m: rows, a: upstream, lda: layer.outputCount, packed: backwardPacked[index], c: target,
                    ldc: layer.inputCount)
            } else {
                GEMM.multiply(
                    m: rows, n: layer.inputCount, k: layer.outputCount, a: upstream, lda: layer.outputCount,
                    transA: false, b: layer.weight.data, ldb: layer.inputCount, transB: false, c: target,
                    ldc: layer.inputCount)
            }
            upstream = UnsafePointer(target)
            spare = 1 - spare
        }
    }
}

/// One layer's bias and activation over the columns a packed product's thread has finished
/// (`FrozenDense.finish`). `@unchecked Sendable`: each thread reads and writes only its own columns.
private struct LayerFinish: @unchecked Sendable {
    let layer: FrozenDense
    let preActivation: UnsafeMutablePointer<Float>
    let outputs: UnsafeMutablePointer<Float>
    let rows: Int
    let addsBias: Bool

    func run(columns: Range<Int>) {
        layer.finish(preActivation, into: outputs, rows: rows, columns: columns, addsBias: addsBias)
    }
}
