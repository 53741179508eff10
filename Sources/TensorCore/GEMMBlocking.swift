/// Cache blocking of `GEMM.multiply`; tunable so the benchmark can sweep it.
struct GEMMBlocking: Sendable {
    /// Depth of a packed block (the A micro-panel, `8 * kc` floats, stays in L1). Blocks are
    /// balanced (k 784 runs as 2 x 392). 512 against 256: equal on one thread, +5-10% on two
    /// (fewer passes over C). The sweep slices it further itself (`GEMMSweep`), so that
    /// both tile families sum in the same order and agree bitwise on every CPU.
    var kc = 512
    /// Columns of a packed B block (`kc * nc` floats, mostly in L2; balanced, so n 1024 runs as
    /// 2 x 512).
    var nc = 768
    /// Rows of transposed A packed together (a depth step then reads `mcTransposed` contiguous floats).
    var mcTransposed = 64
    /// Read A's rows in place instead of packing them (only when A is not transposed): `nil` does so
    /// (`GEMMPlan`); `true`/`false` force it (tests).
    var inPlaceA: Bool? = nil
    /// Widest C for which A is read in place: packing A is worth it only when the packed panel
    /// serves many B panels.
    var inPlaceMaxColumns = 128
    /// Rectangles of C per thread (claimed dynamically).
    var piecesPerThread = 1
    /// Run threads on `ComputePool` (workers spin between calls) instead of `concurrentPerform`.
    var spinningWorkers = true
    /// The micro-kernels (wide with AVX-512, half tiles elsewhere).
    var tiles = GEMMTiles.detected
    /// Rows of A packed together for the half tiles, which sweep each B panel's depth slices over all
    /// of them (`GEMMSweep`). 128 against 64: equal where B is packed (a 1024-row C), but a batch
    /// of 128 rows is then one block, whose B the half tiles read in place (`inPlaceB`): 128x784x400
    /// 88.8 -> 93.2 GFLOP/s on one thread, 164 -> 173 on two (Zen 3, AVX2).
    var mcHalf = 128
    /// Depth of the half tiles' slices: how much of a B panel stays in L1 while the row tiles use it.
    var halfSlice = 128
    /// Let the tiles read B's rows in place instead of packing them (only when B is not transposed, and
    /// for the wide tiles only where C is wider than `inPlaceMaxColumns`): `nil` does so when a thread's
    /// rows of C are at most `mcHalf`, and B's row stride is not a multiple of 64 floats (such a stride
    /// puts a depth slice's rows into at most 16 of L1's 64 sets, which then evict each other:
    /// 128x1024x1024 in place ran at 57 GFLOP/s against 87 packed on the half tiles); `true`/`false`
    /// force it (tests). The sweep
    /// (`sweep`) then runs a single block of rows, which would read the packed block only once; the wide
    /// tiles in their own order read B once per 8 rows, from L2, as they read a packed block (a
    /// convolution's 32 or 64 weight rows against its unfolded images: 3% of a U-Net step was packing
    /// them, AVX-512), and only where B's rows are aligned to cache lines (`GEMMPlan`).
    var inPlaceB: Bool? = nil
    /// Let the sweep pack B one panel at a time, just before using it, where B is not read in place:
    /// `nil` does so for a single block of rows (as `inPlaceB`), `true`/`false` force it (tests).
    var packBPerPanel: Bool? = nil
    /// Run the wide tiles in the sweep order too (`GEMMSweep`; the half tiles always sweep): `nil` does so
    /// for a single block of rows (at most `mcHalf`, A not transposed, C wider than `inPlaceMaxColumns`)
    /// whose B they would not read in place: transposed, with a row stride that is a multiple of 64
    /// floats, or rows not aligned to cache lines. A slice of each panel then stays in L1 for all row
    /// tiles instead of the whole panel streaming from L2 for each (128x1024x1024 +2-14%; B transposed
    /// +2-7% on one thread, +3-15% on two; B's rows 16 bytes off cache lines, read in place, +6-8%; a
    /// 1024-row C swept in blocks of 128 rows 6-8% slower; AVX-512 Xeon); `true`/`false` force it
    /// (tests), and `MANIFOLD_GEMM_SWEEP=off` keeps the wide tiles in their own order, to compare.
    var sweep: Bool? = GEMMPlan.environmentSweep
    /// Products below this many floating-point operations run on one thread.
    var serialFlops = 3.0e6
}
