import Foundation
import TensorCore

/// Loss functions with fused forward/backward where it buys stability and speed.
public enum Loss {
    /// Mean softmax cross-entropy from logits (fused log-softmax), as PyTorch's `cross_entropy`.
    /// - Parameters: logits [batch, classes]; labels one class index per row.
    /// - Returns: a 0-d tensor.
    public static func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
        precondition(
            logits.rank == 2 && logits.shape[0] == labels.count,
            "crossEntropy: logits \(logits.shape) for \(labels.count) labels")
        let (rows, width) = (logits.shape[0], logits.shape[1])
        let probabilities = Tensor(zeros: logits.shape)
        let q = probabilities.data
        let total = softmaxCrossEntropyRows(logits.data, rows: rows, classes: width, labels: labels, probabilities: q)
        let out = Tensor(Float(total / Double(max(rows, 1))))
        return Tensor.record(out, inputs: [logits]) { g, _ in
            let grad = Tensor(shape: [rows, width], storage: TensorStorage(uninitializedCount: rows * width))
            softmaxCrossEntropyGradient(
                probabilities: probabilities.data, rows: rows, classes: width, labels: labels,
                scale: g.item / Float(max(rows, 1)), into: grad.data)
            return [grad]
        }
    }

    /// The backward pass of the summed softmax cross-entropy: `gradient = scale * (q - onehot(label))` per
    /// row of `probabilities` `[rows, classes]` (the softmax that `softmaxCrossEntropyRows` wrote).
    /// `gradient` may be `probabilities` itself.
    public static func softmaxCrossEntropyGradient(
        probabilities q: UnsafePointer<Float>, rows: Int, classes: Int, labels: [Int], scale: Float,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let base = r * classes
            for j in 0..<classes { gradient[base + j] = q[base + j] * scale }
            gradient[base + labels[r]] -= scale
        }
    }

    /// The fused kernel under `crossEntropy`: writes each row's softmax of `logits` `[rows, classes]` into
    /// `probabilities` (max-shifted, then divided by the row sum) and returns the summed cross-entropy
    /// `sum_i (m_i + log s_i - z_i[label_i])`. `softmaxCrossEntropyGradient` turns the softmax into the
    /// gradient (autograd's backward pass and `FrozenNetwork.crossEntropyInputGradient` both call it).
    public static func softmaxCrossEntropyRows(
        _ logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: [Int],
        probabilities q: UnsafeMutablePointer<Float>
    ) -> Double {
        var total: Double = 0
        for r in 0..<rows {
            let label = labels[r]
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            let row = logits + r * classes
            let (m, s) = ElementwiseKernels.shiftedExponentials(row, q + r * classes, classes)
            for j in 0..<classes { q[r * classes + j] /= s }
            total += Double(m + Foundation.log(s) - row[label])
        }
        return total
    }

    /// Binary cross-entropy with logits: `max(x, 0) - x t + log(1 + e^-|x|)`, summed or averaged.
    public static func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = .mean)
        -> Tensor
    {
        precondition(logits.count == targets.count, "BCE: logits \(logits.shape) vs targets \(targets.shape)")
        let n = logits.count
        let x = logits.data
        let t = targets.data
        // max(x, 0) - x t + log(1 + e^-|x|), 16 at a time (the scalar libm loop was a sixth of a VAE
        // step); log(1 + e) instead of log1p(e) loses at most 6e-8 a term, where e^-|x| < 2^-24. The
        // blocks of 16 are summed over the compute threads, their sums added in order in one thread, so the
        // total does not depend on the thread count.
        let blocks = n / 16
        var blockSums = [Float](repeating: 0, count: blocks)
        blockSums.withUnsafeMutableBufferPointer { sums in
            guard let base = sums.baseAddress else { return }
            let buffers = BCEPointers(logits: x, targets: t, out: base)
            ParallelSplit.ranges(count: blocks, minimumPerThread: 2048) { range in
                for block in range { buffers.out[block] = buffers.blockLoss(block * 16) }
            }
        }
        var total: Double = 0
        for sum in blockSums { total += Double(sum) }
        for i in (blocks * 16)..<n {
            total += Double(max(x[i], 0) - x[i] * t[i] + Foundation.log1p(Foundation.exp(-abs(x[i]))))
        }
        let divisor: Float = reduction == .mean ? Float(max(n, 1)) : 1
        let out = Tensor(Float(total) / divisor)
        return Tensor.record(out, inputs: [logits, targets]) { g, _ in
            let scale = g.item / divisor
            let gradLogits = Tensor(shape: logits.shape, storage: TensorStorage(uninitializedCount: n))
            var gradTargets: Tensor?
            // sigmoid(x) - t; VectorMath.exp clamps its input, so 1 / (1 + e^-x) never overflows. Ranges start
            // at multiples of 16, so every element is computed as in one pass over all of them.
            let buffers = BCEPointers(logits: x, targets: t, out: gradLogits.data)
            ParallelSplit.ranges(count: n) { range in buffers.gradient(range, scale: scale) }
            if targets.requiresGrad {
                let gt = Tensor(zeros: targets.shape)
                for i in 0..<n { gt.data[i] = -x[i] * scale }
                gradTargets = gt
            }
            return [gradLogits, gradTargets]
        }
    }

    /// Mean (or summed) squared error.
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor
    {
        let squared = (prediction - target).squared()
        return reduction == .mean ? squared.mean() : squared.sum()
    }

    public enum Reduction: Sendable { case mean, sum }
}

/// The buffers of a BCE-with-logits pass, handed to the threads that write disjoint parts of `out`.
private struct BCEPointers: @unchecked Sendable {
    let logits: UnsafeMutablePointer<Float>
    let targets: UnsafeMutablePointer<Float>
    let out: UnsafeMutablePointer<Float>

    /// The sum of the 16 loss terms from element `start` on.
    func blockLoss(_ start: Int) -> Float {
        let xv = UnsafeRawPointer(logits + start).loadUnaligned(as: SIMD16<Float>.self)
        let tv = UnsafeRawPointer(targets + start).loadUnaligned(as: SIMD16<Float>.self)
        let magnitude = unsafeBitCast(unsafeBitCast(xv, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
        let terms = (xv + magnitude) * 0.5 - xv * tv + VectorMath.log(1 + VectorMath.exp(-magnitude))
        return terms.sum()
    }

    /// `out = (sigmoid(x) - t) * scale` over `range`, 16 at a time from its start.
    func gradient(_ range: Range<Int>, scale: Float) {
        let (x, t) = (logits, targets)
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let tv = UnsafeRawPointer(t + i).loadUnaligned(as: SIMD16<Float>.self)
            let sigmoid = 1 / (1 + VectorMath.exp(-xv))
            UnsafeMutableRawPointer(out + i).storeBytes(of: (sigmoid - tv) * scale, as: SIMD16<Float>.self)
            i += 16
        }
        while i < range.upperBound {
            let s = x[i] >= 0 ? 1 / (1 + Foundation.exp(-x[i])) : Foundation.exp(x[i]) / (1 + Foundation.exp(x[i]))
            out[i] = (s - t[i]) * scale
            i += 1
        }
    }
}
