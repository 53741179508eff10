import Foundation

/// How `GEMMProblem.compute` runs one thread's rectangle of C: the loop order, which operands it reads
/// in place and how many rows of A it packs together. Decided from the shape, the operands' layout and
/// `GEMMBlocking` (whose optional fields force a choice, for tests and measurements).
struct GEMMPlan: Equatable {
    /// A's rows read in place by the tiles instead of packed (A not transposed: by the wide tiles, and by
    /// the half tiles where C is narrow).
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
        // Both tile families read A's rows in place wherever A is not transposed, unless told to pack them:
        // eight strided rows broadcast as well as a packed panel, and the packing goes (wide tiles, with B
        // in place, 128x784x400's block 168.9 -> 172.4 GFLOP/s on one thread; with B packed, 1024^3 161 ->
        // 164 on one thread, 320 -> 326 on two; the models' steps 1-6% faster; AVX-512 Xeon. Half tiles,
        // the AVX2 build on the same Xeon: +3-5% on every model and U-Net shape, 1024^3 78 -> 81 on one
        // thread, 153 -> 160 on two; not yet measured on an AVX2 machine).
        inPlaceA = narrowA || (!transA && blocking.inPlaceA == nil)
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
