/// NumPy broadcasting for binary operations: shape rules and a strided kernel with fast paths.
enum Broadcast {
    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                return nil
            }
        }
        return result
    }

    /// Element strides of `shape` seen as `target` (stride 0 along broadcast dimensions).
    static func strides(of shape: [Int], in target: [Int]) -> [Int] {
        let pad = target.count - shape.count
        var strides = [Int](repeating: 0, count: target.count)
        var running = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + pad] = shape[i] == 1 ? 0 : running
            running *= shape[i]
        }
        return strides
    }

    /// out[i] = op(a[ia], b[ib]) over the broadcast of `a` and `b`. Equal shapes of 64k elements or more
    /// are split over the compute threads (a U-Net's residual sums: 3% of a training step on the main
    /// thread alone); each element is computed alike either way.
    @inline(__always)
    static func apply<Operation: BinaryFloatOperation>(_ a: Tensor, _ b: Tensor, _: Operation.Type) -> Tensor {
        guard let outShape = shape(a.shape, b.shape) else {
            preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let out = Tensor(shape: outShape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(outShape)))
        let n = out.count
        let pa = a.data
        let pb = b.data
        let po = out.data
        if a.count == n && b.count == n {
            let operands = BinaryPointers(a: pa, b: pb, out: po)
            ParallelSplit.ranges(count: n, minimumPerThread: 32_768) { range in
                let (x, y, z) = (operands.a, operands.b, operands.out)
                for i in range { z[i] = Operation.apply(x[i], y[i]) }
            }
            return out
        }
        if b.count == 1 && a.count == n {
            let s = pb[0]
            for i in 0..<n { po[i] = Operation.apply(pa[i], s) }
            return out
        }
        if a.count == 1 && b.count == n {
            let s = pa[0]
            for i in 0..<n { po[i] = Operation.apply(s, pb[i]) }
            return out
        }
        // General case: iterate the output with a multi-index, innermost dimension in a tight loop.
        let rank = outShape.count
        let sa = strides(of: a.shape, in: outShape)
        let sb = strides(of: b.shape, in: outShape)
        let inner = outShape[rank - 1]
        let innerA = sa[rank - 1]
        let innerB = sb[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var offsetA = 0
        var offsetB = 0
        var o = 0
        while o < n {
            for j in 0..<inner { po[o + j] = Operation.apply(pa[offsetA + j * innerA], pb[offsetB + j * innerB]) }
            o += inner
            // Advance the outer multi-index.
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                offsetA += sa[d]
                offsetB += sb[d]
                if index[d] < outShape[d] { break }
                offsetA -= sa[d] * outShape[d]
                offsetB -= sb[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}

extension Tensor {
    /// Sums a broadcast gradient back down to `target` (the shape of the input that was broadcast).
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        if Tensor.elementCount(target) == count { return reshaped(target) }
        let pad = rank - target.count
        precondition(pad >= 0, "cannot reduce \(shape) to \(target)")
        var result = self
        for axis in 0..<rank {
            let targetDim = axis < pad ? 1 : target[axis - pad]
            if targetDim == 1 && shape[axis] != 1 {
                result = result.sum(axis: axis, keepingDimension: true)
            }
        }
        return result.reshaped(target)
    }
}

/// A binary float operation as a type, so that `Broadcast.apply` is specialised for it, also inside the
/// closures that split a pass over the threads (a closure argument was called there per element).
protocol BinaryFloatOperation: SendableMetatype {
    static func apply(_ x: Float, _ y: Float) -> Float
}

enum FloatSum: BinaryFloatOperation {
    @inline(__always) static func apply(_ x: Float, _ y: Float) -> Float { x + y }
}

enum FloatDifference: BinaryFloatOperation {
    @inline(__always) static func apply(_ x: Float, _ y: Float) -> Float { x - y }
}

enum FloatProduct: BinaryFloatOperation {
    @inline(__always) static func apply(_ x: Float, _ y: Float) -> Float { x * y }
}

enum FloatQuotient: BinaryFloatOperation {
    @inline(__always) static func apply(_ x: Float, _ y: Float) -> Float { x / y }
}

/// `-x / y`: the divisor's term in a quotient's gradient.
enum FloatNegatedQuotient: BinaryFloatOperation {
    @inline(__always) static func apply(_ x: Float, _ y: Float) -> Float { -x / y }
}

/// The operands of an elementwise binary pass, shared by the threads that each write their own range
/// of `out`. `@unchecked Sendable`: the inputs are only read, the ranges written are disjoint.
private struct BinaryPointers: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>
    let out: UnsafeMutablePointer<Float>
}
