import Foundation
import NeuralNet

/// The elementwise passes of `DenseInputGradient` and the signed-gradient step, over raw buffers. Each
/// computes exactly what the autograd op it replaces computes.
///
/// Written as plain scalar loops on purpose: LLVM vectorises them (AVX-512 compares, blends, min/max),
/// whereas `SIMD16<Float>`'s `pointwiseMin`/`pointwiseMax` and `replacing(with:where:)` compiled to one
/// lane at a time through the stack with this toolchain (a 16-lane sign step took 16% of a PGD run; the
/// scalar loop under 4%).
enum DenseKernels {
    /// `z = z + bias` per row of `[rows, width]`, then `max(z, 0)` when `relu`, in one pass.
    static func addBias(
        _ z: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>?, relu: Bool
    ) {
        for r in 0..<rows {
            let row = z + r * width
            switch (bias, relu) {
            case (let bias?, true):
                for j in 0..<width {
                    let v = row[j] + bias[j]
                    row[j] = v > 0 ? v : 0
                }
            case (let bias?, false):
                for j in 0..<width { row[j] += bias[j] }
            case (nil, true):
                for j in 0..<width { row[j] = row[j] > 0 ? row[j] : 0 }
            case (nil, false):
                return
            }
        }
    }

    /// `g = activation > 0 ? g : 0` in place (the ReLU's backward pass, from its output).
    static func reluMask(_ g: UnsafeMutablePointer<Float>, activations a: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { g[i] = a[i] > 0 ? g[i] : 0 }
    }

    /// Softmax cross-entropy per row of `logits` `[rows, classes]`: writes
    /// `gradient = scale * (softmax(z) - onehot(label))` and returns `sum_i CE_i` (as `Loss.crossEntropy`,
    /// operation for operation).
    static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: [Int], scale: Float,
        gradient: UnsafeMutablePointer<Float>
    ) -> Double {
        let total = Loss.softmaxCrossEntropyRows(
            logits, rows: rows, classes: classes, labels: labels, probabilities: gradient)
        for r in 0..<rows {
            let q = gradient + r * classes
            for j in 0..<classes { q[j] *= scale }
            q[labels[r]] -= scale
        }
        return total
    }

    /// One signed-gradient step projected onto the L-inf ball and [0, 1], for `count` pixels:
    /// `o = clip_[0,1](c + clip_[-eps,eps](x + step * sign(g) - c))`.
    static func signStep(
        x: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, clean c: UnsafePointer<Float>,
        into o: UnsafeMutablePointer<Float>, count: Int, step: Float, epsilon: Float
    ) {
        for i in 0..<count {
            let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
            let delta = min(max(x[i] + step * s - c[i], -epsilon), epsilon)
            o[i] = min(max(c[i] + delta, 0), 1)
        }
    }
}
