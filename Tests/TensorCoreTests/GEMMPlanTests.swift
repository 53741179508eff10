import Testing

@testable import TensorCore

/// Which loop order and operand layout `GEMMPlan` picks for the shapes the models use.
@Suite struct GEMMPlanTests {
    func plan(
        rows: Int, n: Int, transA: Bool = false, transB: Bool = false, ldb: Int? = nil, tiles: GEMMTiles = .wide,
        sweep: Bool? = nil
    ) -> GEMMPlan {
        GEMMPlan(
            rows: rows, n: n, transA: transA, transB: transB, ldb: ldb ?? n,
            blocking: GEMMBlocking(tiles: tiles, sweep: sweep))
    }

    /// The wide tiles sweep a batch of rows whose B they would pack (its stride a multiple of 64 floats,
    /// or transposed), packing each panel just before its use, or whose B's rows are off cache lines
    /// (read in place by the sweep), and keep their own order where they read aligned B in place, for a
    /// tall C, a transposed A and a narrow C. They read A's rows in place unless A is transposed or
    /// they are told to pack it.
    @Test func wideTilesSweepABatchWhoseBTheyWouldPack() {
        let strided64 = plan(rows: 128, n: 1024)
        #expect(strided64.sweep && !strided64.inPlaceB && strided64.packPerPanel && strided64.mcRows == 128)
        #expect(strided64.inPlaceA)
        let transposed = plan(rows: 128, n: 400, transB: true, ldb: 784)
        #expect(transposed.sweep && !transposed.inPlaceB && transposed.packPerPanel && transposed.inPlaceA)
        let inPlace = plan(rows: 128, n: 784)
        #expect(!inPlace.sweep && inPlace.inPlaceB && inPlace.inPlaceA && inPlace.mcRows == gemmMR)
        let packedA = GEMMPlan(
            rows: 128, n: 784, transA: false, transB: false, ldb: 784,
            blocking: GEMMBlocking(inPlaceA: false, tiles: .wide, sweep: nil))
        #expect(!packedA.sweep && packedA.inPlaceB && !packedA.inPlaceA)
        let tall = plan(rows: 1024, n: 1024)
        #expect(!tall.sweep && !tall.inPlaceB && tall.inPlaceA && tall.mcRows == gemmMR)
        let transposedA = plan(rows: 128, n: 1024, transA: true)
        #expect(!transposedA.sweep && !transposedA.inPlaceA && transposedA.mcRows == 64)
        let misaligned = GEMMPlan(
            rows: 128, n: 784, transA: false, transB: false, ldb: 784, bAligned: false,
            blocking: GEMMBlocking(tiles: .wide, sweep: nil))
        #expect(misaligned.sweep && misaligned.inPlaceB && misaligned.inPlaceA && misaligned.mcRows == 128)
        let narrow = plan(rows: 128, n: 64)
        #expect(narrow.inPlaceA && !narrow.sweep)
        #expect(!plan(rows: 128, n: 1024, sweep: false).sweep)
        #expect(plan(rows: 1024, n: 1024, sweep: true).sweep)
    }

    /// The half tiles always sweep; a tall C's B is packed as a block, a batch's read in place.
    @Test func halfTilesAlwaysSweep() {
        let tall = plan(rows: 1024, n: 1024, tiles: .half)
        #expect(tall.sweep && !tall.inPlaceB && !tall.packPerPanel && tall.inPlaceA && tall.mcRows == 128)
        let batch = plan(rows: 128, n: 784, tiles: .half)
        #expect(batch.sweep && batch.inPlaceB)
        #expect(plan(rows: 128, n: 784, tiles: .half, sweep: false).sweep)
    }
}
