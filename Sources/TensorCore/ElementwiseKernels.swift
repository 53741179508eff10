import Foundation

/// SIMD loops for the elementwise operations on hot paths (16 lanes, scalar tail), over raw buffers.
///
/// Each kernel is written once and shared by the autograd ops (`Tensor.relu`, `Tensor.linear`, ...),
/// the frozen-network fast path (`FrozenNetwork` in NeuralNet) and the losses, so a forward or backward
/// rule has one implementation whichever path runs it.
public enum ElementwiseKernels {
    typealias Vector = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Vector {
        UnsafeRawPointer(p + i).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Vector.self)
    }

    /// y = max(x, 0), and NaN where x is NaN, as PyTorch's `relu` (in place when `x == y`). (`pointwiseMax`
    /// and `x > 0 ? x : 0` both turn a NaN into 0, so a NaN inside a network could vanish before the loss.)
    public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = Vector(repeating: 0)
        while i + 16 <= n {
            let v = load(x, i)
            store(v.replacing(with: zero, where: v .<= zero), y, i)
            i += 16
        }
        while i < n {
            y[i] = x[i] <= 0 ? 0 : x[i]
            i += 1
        }
    }

    /// dx = 0 where y <= 0, else g (a NaN output passes its gradient on, as PyTorch's `threshold_backward`
    /// does): ReLU's backward pass from its output (in place when `g == dx`).
    public static func reluBackward(
        _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        var i = 0
        let zero = Vector(repeating: 0)
        while i + 16 <= n {
            let mask = load(y, i) .<= zero
            store(load(g, i).replacing(with: zero, where: mask), dx, i)
            i += 16
        }
        while i < n {
            dx[i] = y[i] <= 0 ? 0 : g[i]
            i += 1
        }
    }

    /// `target[0 ..< count] = source[0 ..< count]`, 16 and then 4 lanes at a time (im2col's rows are
    /// image rows of 7 to 28 pixels: a call of `memmove` per row cost more than the copy).
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 16 <= count {
            store(load(source, i), target, i)
            i &+= 16
        }
        while i &+ 4 <= count {
            UnsafeMutableRawPointer(target + i).storeBytes(
                of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            i &+= 4
        }
        while i < count {
            target[i] = source[i]
            i &+= 1
        }
    }

    /// `target[0 ..< count] = 0` without a call: 16 lanes at a time, and a short run as two
    /// overlapping stores of the largest vector that fits (as `Im2Col.copyRun` copies). For the
    /// few-float runs of the convolution's borders, where a loop (or `update(repeating:count:)`) became
    /// a call to libc's `memset` per run (5% of a CNN step's samples were in `memset`).
    @inline(__always)
    static func zero(_ target: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(target)
        if count >= 16 {
            var i = 0
            while i &+ 16 <= count {
                store(Vector(), target, i)
                i &+= 16
            }
            if i < count { store(Vector(), target, count &- 16) }
        } else if count >= 8 {
            raw.storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
            raw.storeBytes(of: SIMD8<Float>(), toByteOffset: (count &- 8) &* 4, as: SIMD8<Float>.self)
        } else if count >= 4 {
            raw.storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self)
            raw.storeBytes(of: SIMD4<Float>(), toByteOffset: (count &- 4) &* 4, as: SIMD4<Float>.self)
        } else if count >= 2 {
            raw.storeBytes(of: SIMD2<Float>(), as: SIMD2<Float>.self)
            raw.storeBytes(of: SIMD2<Float>(), toByteOffset: (count &- 2) &* 4, as: SIMD2<Float>.self)
        } else if count == 1 {
            target.pointee = 0
        }
    }

    /// `target[0 ..< count] += source[0 ..< count]`, 16 and then 4 lanes at a time.
    @inline(__always)
    static func add(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 16 <= count {
            store(load(target, i) + load(source, i), target, i)
            i &+= 16
        }
        while i &+ 4 <= count {
            let sum =
                UnsafeRawPointer(target + i).loadUnaligned(as: SIMD4<Float>.self)
                + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD4<Float>.self)
            i &+= 4
        }
        while i < count {
            target[i] += source[i]
            i &+= 1
        }
    }

    /// `target = decay * target + (1 - decay) * source`: a moving average's step.
    static func blend(
        _ target: UnsafeMutablePointer<Float>, toward source: UnsafePointer<Float>, count: Int, decay: Float
    ) {
        var i = 0
        while i &+ 16 <= count {
            store(decay * load(target, i) + (1 - decay) * load(source, i), target, i)
            i &+= 16
        }
        while i < count {
            target[i] = decay * target[i] + (1 - decay) * source[i]
            i &+= 1
        }
    }

    /// Whether any of `count` elements is NaN or infinite. x * 0 is NaN exactly for NaN and infinite x:
    /// one vectorisable sum instead of a branch per element (the per-step checks of every weight and
    /// gradient were 6% of MLP training).
    static func hasNonFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        var poison = Vector(repeating: 0)
        var i = 0
        while i &+ 16 <= count {
            poison += load(x, i) * 0
            i &+= 16
        }
        while i < count {
            if !x[i].isFinite { return true }
            i &+= 1
        }
        return poison.sum().isNaN
    }

    /// Adds a row vector to every row of a [rows, width] matrix in place.
    public static func addRows(
        _ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int, _ row: UnsafePointer<Float>
    ) {
        for r in 0..<rows { add(row, to: matrix + r * width, count: width) }
    }

    /// Sums the rows of a [rows, width] matrix into `result` (overwritten).
    static func sumRows(_ matrix: UnsafePointer<Float>, rows: Int, width: Int, into result: UnsafeMutablePointer<Float>)
    {
        result.update(repeating: 0, count: width)
        for r in 0..<rows { add(matrix + r * width, to: result, count: width) }
    }

    /// The sum of `n` floats, on 16 lanes.
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = Vector()
        var i = 0
        while i + 16 <= n {
            lanes += load(x, i)
            i += 16
        }
        var total = lanes.sum()
        while i < n {
            total += x[i]
            i += 1
        }
        return total
    }

    /// `x . y` over `n` floats, on two chains of 16 lanes (the GEMM's matrix-vector path and
    /// other small products).
    @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var (s0, s1) = (Vector(), Vector())
        var p = 0
        while p + 32 <= n {
            s0.addProduct(load(x, p), load(y, p))
            s1.addProduct(load(x, p + 16), load(y, p + 16))
            p += 32
        }
        var sum = (s0 + s1).sum()
        while p < n {
            sum += x[p] * y[p]
            p += 1
        }
        return sum
    }

    /// Adds `values[r]` to every element of row r of a [rows, width] matrix in place (a per-channel
    /// bias on one image's [channels, positions]).
    static func addToRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int, _ values: UnsafePointer<Float>)
    {
        for r in 0..<rows {
            let base = matrix + r * width
            let value = Vector(repeating: values[r])
            var j = 0
            while j + 16 <= width {
                store(load(base, j) + value, base, j)
                j += 16
            }
            while j < width {
                base[j] += values[r]
                j += 1
            }
        }
    }

    /// `result[r] += sum(row r)` for a [rows, width] matrix (per-channel bias gradients).
    static func accumulateRowTotals(
        _ matrix: UnsafePointer<Float>, rows: Int, width: Int, into result: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows { result[r] += sum(matrix + r * width, width) }
    }
}

extension ElementwiseKernels {
    /// The core of softmax, log-softmax and softmax cross-entropy on one row `z` of `n` values: writes
    /// `e_j = exp(z_j - max z)` and returns `max z` and `sum_j e_j` (added in order), so that
    /// `softmax = e / sum` and `logSumExp = max + log(sum)` (shifting by the maximum keeps every
    /// exponential in (0, 1]).
    public static func shiftedExponentials(_ z: UnsafePointer<Float>, _ e: UnsafeMutablePointer<Float>, _ n: Int)
        -> (maximum: Float, sum: Float)
    {
        var m = -Float.infinity
        for j in 0..<n { m = Swift.max(m, z[j]) }
        var s: Float = 0
        for j in 0..<n {
            e[j] = Foundation.exp(z[j] - m)
            s += e[j]
        }
        return (m, s)
    }
}
