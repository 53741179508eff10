#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide settings of the C allocator for tensor workloads.
///
/// Training allocates and frees the same large buffers (activations, gradients, im2col scratch of
/// up to tens of MB) on every step. By default glibc serves blocks above its mmap threshold (at
/// most 32 MB, adjusted at run time) with fresh `mmap`s and returns freed heap tops to the system,
/// so each step pays page faults and kernel zeroing for memory it had a moment ago. Keeping large
/// blocks in the heap (mmap threshold 1 GB) and not trimming it below 1 GB of free space measured
/// 12% faster DDPM U-Net steps (15.6-16.0 s -> 13.5-14.0 s for 40 steps) for a peak resident size
/// 3% higher (865 -> 888 MB), much as PyTorch's caching allocator does. The executable calls this
/// at start; a no-op on systems without glibc's `mallopt`.
public enum AllocatorTuning {
    /// Returns whether the allocator accepted the settings.
    @discardableResult
    public static func keepLargeBlocks() -> Bool {
        #if canImport(Glibc)
            // `mallopt` and its constants live in <malloc.h>, which the Glibc module does not
            // export: look the function up, and use glibc's values M_TRIM_THRESHOLD -1 and
            // M_MMAP_THRESHOLD -3.
            guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, "mallopt") else { return false }
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let gigabyte: Int32 = 1 << 30
            return mallopt(-3, gigabyte) == 1 && mallopt(-1, gigabyte) == 1
        #else
            return false
        #endif
    }
}
