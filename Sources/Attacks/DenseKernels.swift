import Foundation

/// The elementwise passes of `DenseInputGradient` and the signed-gradient step, as 16-lane SIMD loops
/// over raw buffers (scalar tails). Each computes exactly what the autograd ops it replaces compute.
enum DenseKernels {
    typealias Vector = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// `z = z + bias` per row of `[rows, width]`, then `max(z, 0)` when `relu`, in one pass.
    static func addBias(
        _ z: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>?, relu: Bool
    ) {
        guard bias != nil || relu else { return }
        let zero = Vector(repeating: 0)
        for r in 0..<rows {
            let row = z + r * width
            var j = 0
            while j + 16 <= width {
                var v = load(row, j)
                if let bias { v += load(bias, j) }
                if relu { v = pointwiseMax(v, zero) }
                store(v, row, j)
                j += 16
            }
            while j < width {
                var v = row[j]
                if let bias { v += bias[j] }
                if relu { v = v > 0 ? v : 0 }
                row[j] = v
                j += 1
            }
        }
    }

    /// `g = activation > 0 ? g : 0` in place (the ReLU's backward pass, from its output, which is never
    /// negative). Branch-free: `indicator(a)` is exactly 1 for a positive activation and 0 for a zero one.
    static func reluMask(_ g: UnsafeMutablePointer<Float>, activations a: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            store(load(g, i) * indicator(load(a, i)), g, i)
            i += 16
        }
        while i < count {
            if !(a[i] > 0) { g[i] = 0 }
            i += 1
        }
    }

    /// `sign(v)` lane by lane: -1, 0 or 1 (0 for a zero lane, whatever its sign bit, up to that bit). Scaling
    /// by 2^254 sends every nonzero float, subnormals included, beyond 1 in magnitude before the clamp;
    /// `SIMD.replacing(with:where:)` would be simpler but compiles to one lane at a time here.
    @inline(__always)
    static func sign(_ v: Vector) -> Vector {
        let scaled = v * Vector(repeating: 0x1p127) * Vector(repeating: 0x1p127)
        return pointwiseMin(pointwiseMax(scaled, Vector(repeating: -1)), Vector(repeating: 1))
    }

    /// 1 where `v > 0`, 0 where `v == 0`, for `v >= 0`.
    @inline(__always)
    static func indicator(_ v: Vector) -> Vector {
        pointwiseMin(v * Vector(repeating: 0x1p127) * Vector(repeating: 0x1p127), Vector(repeating: 1))
    }

    /// Softmax cross-entropy per row of `logits` `[rows, classes]`: writes
    /// `gradient = scale * (softmax(z) - onehot(label))` and returns `sum_i CE_i` (as `Loss.crossEntropy`,
    /// operation for operation).
    static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: [Int], scale: Float,
        gradient: UnsafeMutablePointer<Float>
    ) -> Double {
        var total: Double = 0
        for r in 0..<rows {
            let label = labels[r]
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            let z = logits + r * classes
            let q = gradient + r * classes
            var m = -Float.infinity
            for j in 0..<classes { m = max(m, z[j]) }
            var s: Float = 0
            for j in 0..<classes {
                let e = Foundation.exp(z[j] - m)
                q[j] = e
                s += e
            }
            for j in 0..<classes { q[j] = q[j] / s * scale }
            q[label] -= scale
            total += Double(m + Foundation.log(s) - z[label])
        }
        return total
    }

    /// One signed-gradient step projected onto the L-inf ball and [0, 1], for `count` pixels:
    /// `o = clip_[0,1](c + clip_[-eps,eps](x + step * sign(g) - c))`.
    static func signStep(
        x: UnsafePointer<Float>, gradient g: UnsafePointer<Float>, clean c: UnsafePointer<Float>,
        into o: UnsafeMutablePointer<Float>, count: Int, step: Float, epsilon: Float
    ) {
        let zero = Vector(repeating: 0)
        let one = Vector(repeating: 1)
        let size = Vector(repeating: step)
        let (low, high) = (Vector(repeating: -epsilon), Vector(repeating: epsilon))
        var i = 0
        while i + 16 <= count {
            let move = size * sign(load(g, i))
            let cv = load(c, i)
            let delta = pointwiseMin(pointwiseMax(load(x, i) + move - cv, low), high)
            store(pointwiseMin(pointwiseMax(cv + delta, zero), one), o, i)
            i += 16
        }
        while i < count {
            let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
            let delta = min(max(x[i] + step * s - c[i], -epsilon), epsilon)
            o[i] = min(max(c[i] + delta, 0), 1)
            i += 1
        }
    }
}
