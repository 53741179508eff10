/// The one place that allocates tensor memory: a 64-byte aligned float buffer owned by a final class.
///
/// Tensors and their views share a storage by reference; the buffer is freed with the last reference.
/// Shared across threads by design (the engine builds tensors, the UI copies values out of snapshots),
/// hence `@unchecked Sendable`: callers never mutate a storage that another thread reads.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Allocates `count` floats, zero-filled.
    public init(count: Int) {
        precondition(count >= 0, "negative storage size")
        let raw = TensorBufferCache.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        self.count = count
    }

    /// Allocates `count` floats without clearing them; the caller writes every element.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative storage size")
        let raw = TensorBufferCache.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
    }

    deinit {
        TensorBufferCache.deallocate(
            UnsafeMutableRawPointer(pointer), byteCount: max(count, 1) * MemoryLayout<Float>.stride)
    }
}
