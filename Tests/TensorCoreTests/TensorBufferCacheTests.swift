import Testing

@testable import TensorCore

/// The size-keyed cache behind every large tensor buffer. Tests run in parallel and allocate tensors of
/// their own, so each test here uses sizes no tensor in the suite has (an odd float count above the
/// cache's minimum), and the suite runs serially (the capacity test evicts the others' buffers).
@Suite(.serialized) struct TensorBufferCacheTests {
    /// A float count no other test allocates, at least `TensorBufferCache.minimumBytes`.
    private static func oddCount(_ offset: Int) -> Int {
        TensorBufferCache.minimumBytes / 4 + 7919 * (offset + 1)
    }

    @Test func aFreedBufferComesBackForTheSameSizeOnly() {
        let count = Self.oddCount(0)
        var address: UnsafeMutablePointer<Float>?
        do { address = TensorStorage(uninitializedCount: count).pointer }
        // Without the cache, the C allocator would carve this smaller buffer out of the freed one.
        let other = TensorStorage(uninitializedCount: count - 1024)
        #expect(other.pointer != address)
        let again = TensorStorage(uninitializedCount: count)
        #expect(again.pointer == address)
        #expect(Int(bitPattern: again.pointer) % TensorBufferCache.alignment == 0)
    }

    @Test func aReusedBufferIsZeroedWhenAskedFor() {
        let count = Self.oddCount(1)
        var address: UnsafeMutablePointer<Float>?
        do {
            let used = TensorStorage(uninitializedCount: count)
            used.pointer.initialize(repeating: .nan, count: count)
            address = used.pointer
        }
        let zeroed = TensorStorage(count: count)
        #expect(zeroed.pointer == address)
        #expect((0..<count).allSatisfy { zeroed.pointer[$0] == 0 })
    }

    @Test func smallBuffersAreNotKept() {
        let bytes = TensorBufferCache.minimumBytes - 64
        let pointer = TensorBufferCache.allocate(byteCount: bytes)
        let before = TensorBufferCache.cachedBytes
        TensorBufferCache.deallocate(pointer, byteCount: bytes)
        // Other tests may free large buffers meanwhile, but never one of this size.
        #expect(TensorBufferCache.cachedBytes - before != bytes)
    }

    @Test func theCacheNeverHoldsMoreThanItsCapacity() {
        // Two buffers of just over half the capacity (never touched, so no memory is written): the
        // older one must go back to the C allocator when the second comes in.
        let bytes = TensorBufferCache.capacityBytes / 2 + 4096 + 64 * 7
        let first = TensorBufferCache.allocate(byteCount: bytes)
        let second = TensorBufferCache.allocate(byteCount: bytes)
        TensorBufferCache.deallocate(first, byteCount: bytes)
        TensorBufferCache.deallocate(second, byteCount: bytes)
        #expect(TensorBufferCache.cachedBytes <= TensorBufferCache.capacityBytes)
        // The newer one is the one kept.
        let again = TensorBufferCache.allocate(byteCount: bytes)
        #expect(again == second)
        TensorBufferCache.deallocate(again, byteCount: bytes)
    }

    @Test func aBufferLargerThanTheCapacityIsNotKept() {
        let bytes = TensorBufferCache.capacityBytes + 4096
        let pointer = TensorBufferCache.allocate(byteCount: bytes)
        TensorBufferCache.deallocate(pointer, byteCount: bytes)
        #expect(TensorBufferCache.cachedBytes <= TensorBufferCache.capacityBytes)
    }
}
