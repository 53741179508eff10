/// Differentiable shape operations: reshape, permute/transpose, slice, concat, stack, gather.
extension Tensor {
    /// A view with a new shape and the same elements; one dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let inferred = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            target[inferred] = count / known
        }
        precondition(Tensor.elementCount(target) == count, "cannot reshape \(shape) to \(newShape)")
        if target == shape { return self }
        let out = Tensor(shape: target, storage: storage, offset: offset)
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in [g.reshaped(inputShape)] }
    }

    /// [batch, ...] -> [batch, rest] (a view).
    public func flattened() -> Tensor {
        reshaped([shape.first ?? 1, -1])
    }

    /// Rows `range` of the outermost axis, as a view sharing storage.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of \(shape)")
        let rowSize = shape[0] == 0 ? 0 : count / shape[0]
        var outShape = shape
        outShape[0] = range.count
        let out = Tensor(shape: outShape, storage: storage, offset: offset + range.lowerBound * rowSize)
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            if g.count > 0 { (grad.data + range.lowerBound * rowSize).update(from: g.data, count: g.count) }
            return [grad]
        }
    }

    /// Reorders the axes: result.shape[i] = shape[order[i]].
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "bad permutation \(order) for rank \(rank)")
        let outShape = order.map { shape[$0] }
        let out = Tensor(shape: outShape, storage: TensorStorage(uninitializedCount: count))
        Tensor.permute(source: data, shape: shape, order: order, destination: out.data)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record(out, inputs: [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Swaps the last two axes.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transpose needs rank >= 2")
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return permuted(order)
    }

    static func permute(source: UnsafePointer<Float>, shape: [Int], order: [Int], destination: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        let count = Tensor.elementCount(shape)
        guard count > 0 else { return }
        var sourceStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { sourceStrides[i] = sourceStrides[i + 1] * shape[i + 1] }
        let outShape = order.map { shape[$0] }
        let strides = order.map { sourceStrides[$0] }
        let inner = outShape[rank - 1]
        let innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var sourceOffset = 0
        var o = 0
        while o < count {
            for j in 0..<inner { destination[o + j] = source[sourceOffset + j * innerStride] }
            o += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                sourceOffset += strides[d]
                if index[d] < outShape[d] { break }
                sourceOffset -= strides[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Elements `range` along `axis` (a copy).
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = resolvedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice \(range) of axis \(a) in \(shape)")
        let (outer, length, inner) = axisSplit(a)
        var outShape = shape
        outShape[a] = range.count
        let out = Tensor(shape: outShape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(outShape)))
        let block = range.count * inner
        for o in 0..<outer where block > 0 {
            (out.data + o * block).update(from: data + (o * length + range.lowerBound) * inner, count: block)
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            for o in 0..<outer where block > 0 {
                (grad.data + (o * length + range.lowerBound) * inner).update(from: g.data + o * block, count: block)
            }
            return [grad]
        }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
        let first = tensors[0]
        let a = first.resolvedAxis(axis)
        for t in tensors {
            precondition(t.rank == first.rank, "concatenate: ranks differ")
            for d in 0..<t.rank where d != a {
                precondition(t.shape[d] == first.shape[d], "concatenate: \(t.shape) vs \(first.shape) on axis \(d)")
            }
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(shape: outShape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(outShape)))
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let total = outShape[a] * inner
        var start = 0
        var starts: [Int] = []
        for t in tensors {
            starts.append(start)
            let block = t.shape[a] * inner
            for o in 0..<outer where block > 0 {
                (out.data + o * total + start * inner).update(from: t.data + o * block, count: block)
            }
            start += t.shape[a]
        }
        return record(out, inputs: tensors) { g, _ in
            tensors.enumerated().map { i, t in
                t.requiresGrad ? g.slice(axis: a, starts[i]..<(starts[i] + t.shape[a])) : nil
            }
        }
    }

    /// Stacks same-shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack needs at least one tensor")
        let a = axis < 0 ? axis + tensors[0].rank + 1 : axis
        let expanded = tensors.map { t -> Tensor in
            var s = t.shape
            s.insert(1, at: a)
            return t.reshaped(s)
        }
        return concatenate(expanded, axis: a)
    }

    /// For a [rows, classes] tensor, picks element `indices[r]` of each row: result [rows].
    public func gather(indices: [Int]) -> Tensor {
        precondition(rank == 2 && indices.count == shape[0], "gather needs [rows, classes] and one index per row")
        let width = shape[1]
        let out = Tensor(zeros: [shape[0]])
        for (r, index) in indices.enumerated() {
            precondition(index >= 0 && index < width, "gather index \(index) outside 0..<\(width)")
            out.data[r] = data[r * width + index]
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            for (r, index) in indices.enumerated() { grad.data[r * width + index] = g.data[r] }
            return [grad]
        }
    }

    /// Rows `indices` of the outermost axis, in that order (a copy; repeated indices allowed).
    public func selectingRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "selectingRows needs rank >= 1")
        let rowSize = shape[0] == 0 ? 0 : count / shape[0]
        var outShape = shape
        outShape[0] = indices.count
        let out = Tensor(shape: outShape, storage: TensorStorage(uninitializedCount: indices.count * rowSize))
        for (i, r) in indices.enumerated() {
            precondition(r >= 0 && r < shape[0], "row \(r) outside 0..<\(shape[0])")
            if rowSize > 0 { (out.data + i * rowSize).update(from: data + r * rowSize, count: rowSize) }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            for (i, r) in indices.enumerated() {
                let dst = grad.data + r * rowSize
                let src = g.data + i * rowSize
                for j in 0..<rowSize { dst[j] += src[j] }
            }
            return [grad]
        }
    }

    /// One-hot rows: [labels.count, classCount] with 1 at each label.
    public static func oneHot(_ labels: [Int], classCount: Int) -> Tensor {
        let out = Tensor(zeros: [labels.count, classCount])
        for (r, label) in labels.enumerated() {
            precondition(label >= 0 && label < classCount, "label \(label) outside 0..<\(classCount)")
            out.data[r * classCount + label] = 1
        }
        return out
    }
}
