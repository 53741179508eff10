/// Differentiable reductions (sum, mean, max over an axis or everything) and argmax / top-k.
extension Tensor {
    /// Normalises a possibly negative axis.
    func resolvedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
        return a
    }

    /// (outer, length, inner) for viewing the tensor as [outer, shape[axis], inner].
    func axisSplit(_ axis: Int) -> (outer: Int, length: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    /// The sum of all elements, as a 0-d tensor.
    public func sum() -> Tensor {
        var s: Double = 0
        let p = data
        for i in 0..<count { s += Double(p[i]) }
        let out = Tensor(Float(s))
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            [Tensor(repeating: g.item, shape: inputShape)]
        }
    }

    /// The mean of all elements, as a 0-d tensor.
    public func mean() -> Tensor {
        sum().scaled(by: 1 / Float(Swift.max(count, 1)))
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let a = resolvedAxis(axis)
        let (outer, length, inner) = axisSplit(a)
        var outShape = shape
        outShape[a] = 1
        let out = Tensor(zeros: outShape)
        let p = data
        let q = out.data
        for o in 0..<outer {
            for l in 0..<length {
                let src = p + (o * length + l) * inner
                let dst = q + o * inner
                for i in 0..<inner { dst[i] += src[i] }
            }
        }
        let result = keepingDimension ? out : out.reshaped(shape.enumerated().filter { $0.offset != a }.map(\.element))
        let inputShape = shape
        return Tensor.record(result, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            let gp = g.data
            let r = grad.data
            for o in 0..<outer {
                for l in 0..<length {
                    let dst = r + (o * length + l) * inner
                    let src = gp + o * inner
                    for i in 0..<inner { dst[i] = src[i] }
                }
            }
            return [grad]
        }
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let a = resolvedAxis(axis)
        return sum(axis: a, keepingDimension: keepingDimension).scaled(by: 1 / Float(Swift.max(shape[a], 1)))
    }

    /// Maximum over one axis; the gradient flows to the first maximal element.
    public func max(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let a = resolvedAxis(axis)
        let (outer, length, inner) = axisSplit(a)
        precondition(length > 0, "max over an empty axis")
        var outShape = shape
        outShape[a] = 1
        let out = Tensor(zeros: outShape)
        var winners = [Int](repeating: 0, count: outer * inner)
        let p = data
        let q = out.data
        for o in 0..<outer {
            for i in 0..<inner {
                var best = p[o * length * inner + i]
                var bestIndex = 0
                for l in 1..<length {
                    let v = p[(o * length + l) * inner + i]
                    if v > best || (best.isNaN && !v.isNaN) {
                        best = v
                        bestIndex = l
                    }
                }
                q[o * inner + i] = best
                winners[o * inner + i] = bestIndex
            }
        }
        let result = keepingDimension ? out : out.reshaped(shape.enumerated().filter { $0.offset != a }.map(\.element))
        let inputShape = shape
        return Tensor.record(result, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            let gp = g.data
            let r = grad.data
            for o in 0..<outer {
                for i in 0..<inner {
                    r[(o * length + winners[o * inner + i]) * inner + i] = gp[o * inner + i]
                }
            }
            return [grad]
        }
    }

    /// Index of the largest element along the last axis, one per row.
    public func argmax() -> [Int] {
        let width = shape.last ?? 1
        precondition(width > 0, "argmax over an empty axis")
        let rows = count / width
        let p = data
        return (0..<rows).map { r in
            var best = 0
            for j in 1..<width where p[r * width + j] > p[r * width + best] { best = j }
            return best
        }
    }

    /// Index of the smallest element along the last axis, one per row.
    public func argmin() -> [Int] {
        let width = shape.last ?? 1
        precondition(width > 0, "argmin over an empty axis")
        let rows = count / width
        let p = data
        return (0..<rows).map { r in
            var best = 0
            for j in 1..<width where p[r * width + j] < p[r * width + best] { best = j }
            return best
        }
    }

    /// The k largest values and their indices along the last axis, per row, largest first.
    public func topK(_ k: Int) -> [(indices: [Int], values: [Float])] {
        let width = shape.last ?? 1
        precondition(k >= 0 && k <= width, "top-\(k) of \(width) values")
        let rows = width == 0 ? 0 : count / width
        let p = data
        return (0..<rows).map { r in
            let order = (0..<width).sorted { p[r * width + $0] > p[r * width + $1] || (p[r * width + $0] == p[r * width + $1] && $0 < $1) }
            let chosen = Array(order.prefix(k))
            return (chosen, chosen.map { p[r * width + $0] })
        }
    }
}
