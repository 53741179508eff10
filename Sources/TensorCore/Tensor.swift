import Synchronization

/// A float32, row-major, contiguous n-dimensional array with reverse-mode automatic differentiation.
///
/// A tensor is a reference type so the autograd graph can name it and accumulate its `grad`. Views made
/// by `reshaped` or `rows(_:)` share storage with their base. Operations record a graph node only when
/// an input has `requiresGrad` and recording is enabled on this thread (see `noGrad`).
public final class Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The number of elements (product of `shape`).
    public let count: Int
    /// The shared buffer and this tensor's first element in it.
    /// A `var` only so that `ownsWholeStorage` can ask `isKnownUniquelyReferenced`; never reassigned.
    /// Unchecked exclusivity: reads need no dynamic access check, as for a `let`.
    @exclusivity(unchecked) public private(set) var storage: TensorStorage
    public let offset: Int
    /// Whether gradients flow to this tensor; leaves with it set receive `grad` on `backward()`.
    public var requiresGrad: Bool
    /// The accumulated gradient after `backward()` (leaves only), same shape as the tensor.
    public var grad: Tensor?
    /// The operation that produced this tensor, when it was recorded.
    var gradNode: GradNode?

    /// Wraps existing storage (a view when `offset` or the count differ from the storage's).
    public init(shape: [Int], storage: TensorStorage, offset: Int = 0, requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape)
        precondition(offset >= 0 && offset + count <= storage.count, "view outside its storage")
        self.shape = shape
        self.count = count
        self.storage = storage
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// A zero-filled tensor of the given shape.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, storage: TensorStorage(count: Tensor.elementCount(shape)), requiresGrad: requiresGrad)
    }

    /// A tensor holding `scalars` (row-major) in the given shape.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        self.init(shape: shape, copying: scalars[...], requiresGrad: requiresGrad)
    }

    /// A tensor holding a copy of `scalars` (row-major) in the given shape: one copy, straight from the
    /// slice (`Tensor(shape:scalars: Array(slice))` copies twice).
    public convenience init(shape: [Int], copying scalars: ArraySlice<Float>, requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape)
        precondition(scalars.count == count, "\(scalars.count) scalars do not fill shape \(shape)")
        let storage = TensorStorage(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { source in
            if count > 0 { Tensor.copyElements(source.baseAddress!, to: storage.pointer, count: count) }
        }
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A 0-dimensional tensor holding one value.
    public convenience init(_ scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A tensor with every element equal to `value`.
    public convenience init(repeating value: Float, shape: [Int], requiresGrad: Bool = false) {
        let count = Tensor.elementCount(shape)
        let storage = TensorStorage(uninitializedCount: count)
        storage.pointer.initialize(repeating: value, count: Swift.max(count, 1))
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// Standard normal entries times `standardDeviation`.
    public static func randomNormal(
        _ shape: [Int], standardDeviation: Float = 1, generator: inout RandomGenerator
    ) -> Tensor {
        let result = Tensor(zeros: shape)
        let p = result.data
        for i in 0..<result.count { p[i] = generator.gaussian() * standardDeviation }
        return result
    }

    /// Uniform entries in [low, high).
    public static func randomUniform(
        _ shape: [Int], low: Float, high: Float, generator: inout RandomGenerator
    ) -> Tensor {
        let result = Tensor(zeros: shape)
        let p = result.data
        for i in 0..<result.count { p[i] = generator.uniform(low, high) }
        return result
    }

    /// Product of the dimensions; traps on negative dimensions.
    public static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "negative dimension in shape \(shape)")
            n *= d
        }
        return n
    }

    /// Pointer to the first element. Writing through it bypasses autograd (optimizers, kernels).
    public var data: UnsafeMutablePointer<Float> { storage.pointer + offset }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The elements, row-major, copied out.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, got shape \(shape)")
        return data[0]
    }

    /// Element at a multi-index (slow; for tests and small reads).
    public subscript(_ indices: Int...) -> Float {
        precondition(indices.count == rank, "index rank \(indices.count) for shape \(shape)")
        var flat = 0
        for (i, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[i], "index \(indices) out of range for \(shape)")
            flat = flat * shape[i] + index
        }
        return data[flat]
    }

    /// A copy with its own storage and no graph.
    public func copy() -> Tensor {
        let storage = TensorStorage(uninitializedCount: count)
        Tensor.copyElements(data, to: storage.pointer, count: count)
        return Tensor(shape: shape, storage: storage)
    }

    /// Whether this tensor spans all of its storage and holds the only reference to it (no view of it
    /// is alive): then its elements can be handed on instead of copied.
    func ownsWholeStorage() -> Bool {
        offset == 0 && count == storage.count && isKnownUniquelyReferenced(&storage)
    }

    /// A tensor sharing this one's storage but cut from the graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, offset: offset)
    }

    /// Marks the tensor as a leaf that receives gradients; returns self for chaining.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// Copies `other`'s values into this tensor's storage (same element count), outside the graph.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign: \(other.shape) into \(shape)")
        let disjoint = other.data + count <= data || data + count <= other.data
        if disjoint {
            Tensor.copyElements(other.data, to: data, count: count)
        } else {
            data.update(from: other.data, count: count)
        }
    }

    /// Copies `count` floats between disjoint buffers; large copies are split over the compute threads.
    /// Into fresh memory a copy is mostly page faults: an attack's 31 MB set of adversarial images,
    /// filled batch by batch, was 13% of FGSM on 10,000 images when one thread copied it.
    static func copyElements(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        let buffers = ElementwisePointers(input: UnsafeMutablePointer(mutating: source), output: target)
        ParallelSplit.ranges(count: count, minimumPerThread: 262_144) { range in
            (buffers.output + range.lowerBound).update(from: buffers.input + range.lowerBound, count: range.count)
        }
    }

    /// Whether any element is NaN or infinite.
    public var hasNonFinite: Bool {
        // Large tensors are split over the compute threads (2.3% of a DDPM MLP step on one).
        let found = Atomic<Bool>(false)
        let buffers = ElementwisePointers(input: data, output: data)
        ParallelSplit.ranges(count: count, minimumPerThread: 262_144) { range in
            if ElementwiseKernels.hasNonFinite(buffers.input + range.lowerBound, count: range.count) {
                found.store(true, ordering: .relaxed)
            }
        }
        return found.load(ordering: .relaxed)
    }

    /// `self = decay * self + (1 - decay) * other`, in place and outside the graph: an exponential moving
    /// average of weights. Large tensors are split over the compute threads; each element's result is the
    /// same whichever thread computes it.
    public func blend(decay: Float, toward other: Tensor) {
        precondition(other.count == count, "blend: \(other.shape) into \(shape)")
        let buffers = ElementwisePointers(input: other.data, output: data)
        ParallelSplit.ranges(count: count, minimumPerThread: 262_144) { range in
            ElementwiseKernels.blend(
                buffers.output + range.lowerBound, toward: buffers.input + range.lowerBound, count: range.count,
                decay: decay)
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}
