import Foundation

/// Differentiable activations and normalisations over the last axis.
extension Tensor {
    /// max(x, 0), with SIMD forward and backward passes (the most common activation), split over the
    /// compute threads for large tensors (a CNN's feature maps: on the main thread alone they were 5% of a
    /// step while the other thread waited). Elementwise, so the result does not depend on the split.
    public func relu() -> Tensor {
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        let forward = ElementwisePointers(input: data, output: out.data)
        ParallelSplit.ranges(count: count) { range in
            let start = range.lowerBound
            ElementwiseKernels.relu(forward.input + start, forward.output + start, range.count)
        }
        return Tensor.record(out, inputs: [self]) { g, output in
            let grad = Tensor(shape: output.shape, storage: TensorStorage(uninitializedCount: output.count))
            let backward = ElementwisePointers(input: output.data, output: grad.data, gradient: g.data)
            ParallelSplit.ranges(count: output.count) { range in
                let start = range.lowerBound
                ElementwiseKernels.reluBackward(
                    backward.gradient! + start, backward.input + start, backward.output + start, range.count)
            }
            return [grad]
        }
    }

    public func leakyReLU(slope: Float = 0.01) -> Tensor {
        mapped({ $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }

    /// 1 / (1 + e^-x), its passes split over the compute threads (an autoencoder's output layer: the scalar
    /// loops were about 5% of an AE step on the main thread while the other waited). Each element is
    /// computed as the one-thread loop computes it, so the result does not depend on the thread count.
    public func sigmoid() -> Tensor {
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        let forward = ElementwisePointers(input: data, output: out.data)
        ParallelSplit.ranges(count: count) { range in
            for i in range { forward.output[i] = Tensor.sigmoid(forward.input[i]) }
        }
        return Tensor.record(out, inputs: [self]) { g, output in
            let grad = Tensor(shape: output.shape, storage: TensorStorage(uninitializedCount: output.count))
            let backward = ElementwisePointers(input: output.data, output: grad.data, gradient: g.data)
            ParallelSplit.ranges(count: output.count) { range in
                let (y, r, gp) = (backward.input, backward.output, backward.gradient!)
                for i in range { r[i] = gp[i] * (y[i] * (1 - y[i])) }
            }
            return [grad]
        }
    }

    public func tanh() -> Tensor { mapped({ Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }

    /// log(1 + e^x), computed stably.
    public func softplus() -> Tensor {
        mapped({ Tensor.softplus($0) }, derivative: { x, _ in Tensor.sigmoid(x) })
    }

    /// x * sigmoid(x) (SiLU / swish, Elfwing et al. 2018), with SIMD forward and backward passes
    /// (`VectorMath.exp`; scalar libm `exp` cost a sixth of a DDPM training step).
    ///
    /// Both passes are split over the compute threads in ranges that start at multiples of 16 (the U-Net's
    /// feature maps: on the main thread alone they were 9% of a training step's time while the other
    /// thread waited), so every element is computed as the one-thread loop computes it.
    public func silu() -> Tensor {
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        let forward = ElementwisePointers(input: data, output: out.data)
        ParallelSplit.ranges(count: count) { range in
            let start = range.lowerBound
            ElementwiseKernels.silu(forward.input + start, forward.output + start, range.count)
        }
        return Tensor.record(out, inputs: [self]) { [self] g, _ in
            let grad = Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count))
            let backward = ElementwisePointers(input: self.data, output: grad.data, gradient: g.data)
            ParallelSplit.ranges(count: self.count) { range in
                let start = range.lowerBound
                ElementwiseKernels.siluBackward(
                    backward.gradient! + start, backward.input + start, backward.output + start, range.count)
            }
            return [grad]
        }
    }

    @inline(__always) static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    @inline(__always) static func softplus(_ x: Float) -> Float {
        Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }

    /// Softmax over the last axis.
    public func softmax() -> Tensor {
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        let width = shape.last ?? 1
        let rows = width == 0 ? 0 : count / width
        let p = data
        let q = out.data
        for r in 0..<rows {
            let o = q + r * width
            let inv = 1 / ElementwiseKernels.shiftedExponentials(p + r * width, o, width).sum
            for j in 0..<width { o[j] *= inv }
        }
        return Tensor.record(out, inputs: [self]) { g, y in
            // dx = y * (g - sum(g * y))
            let grad = Tensor(zeros: y.shape)
            let gp = g.data
            let yp = y.data
            let r = grad.data
            for row in 0..<rows {
                let base = row * width
                var dot: Float = 0
                for j in 0..<width { dot += gp[base + j] * yp[base + j] }
                for j in 0..<width { r[base + j] = yp[base + j] * (gp[base + j] - dot) }
            }
            return [grad]
        }
    }

    /// log(softmax(x)) over the last axis, by the log-sum-exp trick.
    public func logSoftmax() -> Tensor {
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        let width = shape.last ?? 1
        let rows = width == 0 ? 0 : count / width
        let p = data
        let q = out.data
        for r in 0..<rows {
            let row = p + r * width
            let o = q + r * width
            // The exponentials go to the output row, then the log-probabilities overwrite them.
            let (m, s) = ElementwiseKernels.shiftedExponentials(row, o, width)
            let logSum = m + Foundation.log(s)
            for j in 0..<width { o[j] = row[j] - logSum }
        }
        return Tensor.record(out, inputs: [self]) { g, y in
            // dx = g - softmax * sum(g)
            let grad = Tensor(zeros: y.shape)
            let gp = g.data
            let yp = y.data
            let r = grad.data
            for row in 0..<rows {
                let base = row * width
                var total: Float = 0
                for j in 0..<width { total += gp[base + j] }
                for j in 0..<width { r[base + j] = gp[base + j] - Foundation.exp(yp[base + j]) * total }
            }
            return [grad]
        }
    }
}

/// The buffers of one elementwise pass, handed to the threads that write disjoint ranges of `output`.
struct ElementwisePointers: @unchecked Sendable {
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>
    var gradient: UnsafeMutablePointer<Float>? = nil
}
