import Foundation

/// How `GEMMProblem.compute` runs one thread's rectangle of C: the loop order, which operands it reads
/// in place and how many rows of A it packs together. Decided from the shape, the operands' layout and
/// `GEMMBlocking` (whose optional fields force a choice, for tests and measurements).
struct GEMMPlan: Equatable {
    /// A's rows read in place by the tiles instead of packed (A not transposed: C narrow, or B read in
    /// place by the wide tiles).
    let inPlaceA: Bool
    /// Run the tiles in the BLIS sweep order (`GEMMSweep`) instead of a whole panel per row tile.
    let sweep: Bool
    /// B's rows read in place by the tiles instead of packed.
    let inPlaceB: Bool
    /// The sweep packs each B panel just before using it instead of the whole block first.
    let packPerPanel: Bool
    /// Rows of A packed together (one micro-panel, a sweep's block or a transposed block).
    let mcRows: Int

    /// `false` where the environment says `MANIFOLD_GEMM_SWEEP=off` (the wide tiles never sweep), else
    /// `nil` (`GEMMBlocking.sweep` decides by the shape).
    static let environmentSweep: Bool? =
        ProcessInfo.processInfo.environment["MANIFOLD_GEMM_SWEEP"] == "off" ? false : nil

    /// `bAligned`: B's rows start on 64-byte boundaries (its base address and `ldb * 4` multiples of 64),
    /// as a tensor's storage does.
    init(
        rows: Int, n: Int, transA: Bool, transB: Bool, ldb: Int, bAligned: Bool = true, blocking: GEMMBlocking
    ) {
        let mr = gemmMR
        let halfTiles = blocking.tiles == .half
        // A narrow C reads A in place: a packed panel would serve few B panels.
        let narrowA = !transA && (blocking.inPlaceA ?? (n <= blocking.inPlaceMaxColumns))
        // The wide tiles read B in place for at most `mcHalf` rows, unless its rows would crowd a few L1
        // sets (`GEMMBlocking.inPlaceB`) or are not aligned to cache lines (each load would then span two,
        // 10-14% slower from L2); where they would not, they sweep.
        let wideInPlaceB =
            !halfTiles && !transB && !narrowA
            && (blocking.inPlaceB ?? (rows <= blocking.mcHalf && ldb % 64 != 0 && bAligned))
        // With B in place they read A's rows in place too, unless told to pack them: no packing, and the
        // kernel then runs at the core's FMA rate (128x784x400's block, 168.9 -> 172.4 GFLOP/s, one thread).
        inPlaceA = narrowA || (!transA && blocking.inPlaceA == nil && wideInPlaceB)
        sweep =
            halfTiles || (blocking.sweep ?? (!wideInPlaceB && !transA && !narrowA && rows <= blocking.mcHalf))
        mcRows =
            transA
            ? max(mr, blocking.mcTransposed / mr * mr) : sweep ? max(mr, blocking.mcHalf / mr * mr) : mr
        // The sweep reads B in place for a single block of rows, whose packed block it would read only
        // once, under the same condition on its stride.
        inPlaceB =
            sweep ? !transB && (blocking.inPlaceB ?? (rows <= mcRows && ldb % 64 != 0)) : wideInPlaceB
        // Otherwise, for a single block of rows, the sweep packs each B panel just before using it.
        packPerPanel = sweep && !inPlaceB && (blocking.packBPerPanel ?? (rows <= mcRows))
    }
}
