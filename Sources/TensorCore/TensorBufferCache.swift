import Synchronization

/// Large tensor buffers kept, by exact size, after their storage dies, and handed to the next storage
/// of that size: a size-keyed caching allocator, as PyTorch's CUDA allocator is (glibc is not).
///
/// Loops allocate the same large buffers over and over (a batch's images, its activations, the next
/// iterate). glibc reuses freed heap memory, but the order of frees and allocations fragments the
/// heap, so some of each batch's buffers land on fresh pages at its top, and a fresh page costs a
/// fault and the kernel's zeroing (about 4 us of system time a page on the 2-core VM). FGSM on 10,000
/// images in batches of 2,000 took 23,400 faults (91 MB) in its timed run; with this cache 14,300 (the
/// first batch and the result set, which are new memory either way), and its peak fell 327 -> 292 MB.
/// `bench models` workers at a cap of 256 MB: PGD 30-36k -> 16k faults (peak 353-376 -> 299 MB), CNN
/// 8-16k -> 0.8-1k (360-390 -> 335 MB), the DDPM MLP 2-4k -> 117, the U-Net 13k -> 4k; FGSM's median
/// time over 6 alternating runs 0.214 -> 0.184 s. The oldest buffers go back to the C allocator once
/// the cache holds more than `capacityBytes`: that bounds the memory a pattern of ever-new sizes can
/// strand here.
enum TensorBufferCache {
    /// Buffers smaller than this go straight to the C allocator, which recycles them well.
    static let minimumBytes = 256 << 10
    /// The most memory the cache holds at once.
    static let capacityBytes = 256 << 20
    /// Alignment of every tensor buffer.
    static let alignment = 64

    /// Free buffers, oldest first (addresses as integers, so the state is `Sendable`).
    private struct Blocks {
        var free: [(address: UInt, bytes: Int)] = []
        var bytes = 0
    }

    private static let blocks = Mutex(Blocks())

    /// A buffer of `byteCount` bytes, 64-byte aligned, contents undefined.
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumBytes {
            let hit = blocks.withLock { state -> UInt? in
                guard let index = state.free.lastIndex(where: { $0.bytes == byteCount }) else { return nil }
                state.bytes -= byteCount
                return state.free.remove(at: index).address
            }
            if let hit, let pointer = UnsafeMutableRawPointer(bitPattern: hit) { return pointer }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment)
    }

    /// Takes back a buffer from `allocate(byteCount:)`; the oldest buffers go back to the C allocator
    /// when the cache would hold more than `capacityBytes`.
    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard byteCount >= minimumBytes, byteCount <= capacityBytes else {
            pointer.deallocate()
            return
        }
        let evicted = blocks.withLock { state -> ArraySlice<(address: UInt, bytes: Int)> in
            state.free.append((UInt(bitPattern: pointer), byteCount))
            state.bytes += byteCount
            var count = 0
            var bytes = state.bytes
            while bytes > capacityBytes {
                bytes -= state.free[count].bytes
                count += 1
            }
            let evicted = state.free[..<count]
            state.free.removeFirst(count)
            state.bytes = bytes
            return evicted
        }
        for block in evicted { UnsafeMutableRawPointer(bitPattern: block.address)?.deallocate() }
    }

    /// Bytes held now (tests).
    static var cachedBytes: Int { blocks.withLock { $0.bytes } }
}
