/// The vector pieces both Winograd transforms share: 8-lane vectors along a row of tiles, rows of
/// sixteen pixels loaded with a zero tail and written without running past a group's images, and the
/// row length of the transforms' matrices.
enum WinogradVectors {
    typealias Lanes = SIMD8<Float>

    /// The row length of `V` and `M` for a group of `columns` tiles: 8 floats of slack, as each tile
    /// row is written (and read) in whole vectors, up to 7 lanes past its end.
    static func rowStride(columns: Int) -> Int { columns + 8 }

    /// All bits set in the first `n` lanes (0...16), clear in the rest: `lane - n` is negative exactly
    /// in those lanes, and its sign bit spread over the lane is the mask. Computed in registers: a
    /// global table of masks was read through `swift_once`, a call (with `vzeroupper` and the live
    /// vectors spilled around it) on every row's end.
    @inline(__always)
    static func tailMask(_ n: Int) -> SIMD16<UInt32> {
        let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        return unsafeBitCast(
            (lanes &- SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: n))) &>> 31, to: SIMD16<UInt32>.self)
    }

    /// Sixteen pixels of `line` from `start`, zero from `width` on. Past the row's end the vector is
    /// loaded whole and its tail cleared by a bit mask where the load stays before `end`; otherwise
    /// the row's end is staged through `stage` (16 floats). (Lane-by-lane inserts, or a masked select,
    /// went through the stack one lane at a time on AVX2, where a 16-lane vector is two registers.)
    @inline(__always)
    static func sixteen(
        _ line: UnsafePointer<Float>, from start: Int, width: Int, end: UnsafePointer<Float>,
        stage: UnsafeMutablePointer<Float>
    ) -> SIMD16<Float> {
        let source = line + start
        if start + 16 <= width { return UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self) }
        let valid = width - start
        guard valid > 0 else { return SIMD16() }
        if source + 16 <= end {
            let bits = UnsafeRawPointer(source).loadUnaligned(as: SIMD16<UInt32>.self) & tailMask(valid)
            return unsafeBitCast(bits, to: SIMD16<Float>.self)
        }
        store(Lanes(), stage)
        store(Lanes(), stage + 8)
        for i in 0..<valid { stage[i] = source[i] }
        return UnsafeRawPointer(stage).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// `[a0, b0, a1, b1, ..., a7, b7]`.
    @inline(__always)
    static func interleave(_ a: Lanes, _ b: Lanes) -> SIMD16<Float> {
        SIMD16(
            a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }

    /// Writes 16 pixels to `line` from `start`: whole where that ends before `end`, else the first
    /// `width - start` of them through `stage` (16 floats). A whole store may run past the row's end:
    /// `transformOutput` writes the rows in increasing address order, so the next rows overwrite it.
    @inline(__always)
    static func write(
        _ pixels: SIMD16<Float>, _ line: UnsafeMutablePointer<Float>, from start: Int, width: Int,
        end: UnsafeMutablePointer<Float>, stage: UnsafeMutablePointer<Float>
    ) {
        let target = line + start
        if start + 16 <= width || (width > start && target + 16 <= end) {
            UnsafeMutableRawPointer(target).storeBytes(of: pixels, as: SIMD16<Float>.self)
        } else if width > start {
            UnsafeMutableRawPointer(stage).storeBytes(of: pixels, as: SIMD16<Float>.self)
            for i in 0..<(width - start) { target[i] = stage[i] }
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// Stores six vectors `stride` floats apart: the six elements of a 1-D transform of F(4x4, 3x3), each
    /// into its own row.
    @inline(__always)
    static func store(
        _ t: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes), _ p: UnsafeMutablePointer<Float>, stride: Int
    ) {
        store(t.0, p)
        store(t.1, p + stride)
        store(t.2, p + 2 * stride)
        store(t.3, p + 3 * stride)
        store(t.4, p + 4 * stride)
        store(t.5, p + 5 * stride)
    }
}
