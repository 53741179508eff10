/// The 2x2, stride-2 max pooling window (every CNN here pools so) over one output row, 8 or 4 windows
/// at a time: a row of `2n` inputs loads as one vector whose even and odd lanes are the windows' left
/// and right columns. Each window keeps its first maximum in the order top-left, top-right,
/// bottom-left, bottom-right, and its first NaN, if it has one, is the maximum (PyTorch's max pooling
/// gives NaN there too), exactly as the scalar loop of `Tensor.maxPool2d` does, so values and winners
/// are bitwise the same. (The scalar loop's branches on random data were 11% of a CNN training step on
/// an Intel Xeon: mispredicted.)
enum MaxPoolWindows {
    /// Writes the maxima of the `outputs` windows of one output row and each winner's index in the
    /// input plane, for `outputs >= 4`. `top` is the first of the row's two input rows, `rowBase` its
    /// index in the plane; a last block that would run past the row is moved back to end with it
    /// (recomputing a few windows with the same result).
    @inline(__always)
    static func row(
        top: UnsafePointer<Float>, width: Int, rowBase: Int, outputs: Int,
        maxima: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>
    ) {
        let bottom = top + width
        let w = Int32(width)
        if outputs >= 8 {
            var start = 0
            while start < outputs {
                let x = min(start, outputs - 8)
                let (best, index) = windows8(
                    top + 2 * x, bottom + 2 * x, base: lanes8 &+ Int32(rowBase + 2 * x), width: w)
                UnsafeMutableRawPointer(maxima + x).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(winners + x).storeBytes(of: index, as: SIMD8<Int32>.self)
                start = x + 8
            }
        } else {
            precondition(outputs >= 4, "MaxPoolWindows.row: fewer than 4 windows")
            var start = 0
            while start < outputs {
                let x = min(start, outputs - 4)
                let (best, index) = windows4(
                    top + 2 * x, bottom + 2 * x, base: lanes4 &+ Int32(rowBase + 2 * x), width: w)
                UnsafeMutableRawPointer(maxima + x).storeBytes(of: best, as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(winners + x).storeBytes(of: index, as: SIMD4<Int32>.self)
                start = x + 4
            }
        }
    }

    private static let lanes8 = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    private static let lanes4 = SIMD4<Int32>(0, 2, 4, 6)

    /// Eight windows whose top-left corners are `top[0, 2, .., 14]`.
    @inline(__always)
    private static func windows8(
        _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, base: SIMD8<Int32>, width: Int32
    ) -> (SIMD8<Float>, SIMD8<Int32>) {
        let upper = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
        let lower = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
        var best = upper.evenHalf
        var index = base
        keepLarger(upper.oddHalf, base &+ 1, &best, &index)
        keepLarger(lower.evenHalf, base &+ width, &best, &index)
        keepLarger(lower.oddHalf, base &+ (width + 1), &best, &index)
        return (best, index)
    }

    /// Four windows whose top-left corners are `top[0, 2, 4, 6]`.
    @inline(__always)
    private static func windows4(
        _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, base: SIMD4<Int32>, width: Int32
    ) -> (SIMD4<Float>, SIMD4<Int32>) {
        let upper = UnsafeRawPointer(top).loadUnaligned(as: SIMD8<Float>.self)
        let lower = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD8<Float>.self)
        var best = upper.evenHalf
        var index = base
        keepLarger(upper.oddHalf, base &+ 1, &best, &index)
        keepLarger(lower.evenHalf, base &+ width, &best, &index)
        keepLarger(lower.oddHalf, base &+ (width + 1), &best, &index)
        return (best, index)
    }

    /// Where `value` is larger than `best`, or NaN while `best` is not, takes it and its index
    /// (`Tensor.replacesMaximum`, lane by lane).
    @inline(__always)
    private static func keepLarger(
        _ value: SIMD8<Float>, _ valueIndex: SIMD8<Int32>, _ best: inout SIMD8<Float>, _ index: inout SIMD8<Int32>
    ) {
        let larger = .!(value .<= best) .& (best .== best)
        best.replace(with: value, where: larger)
        index.replace(with: valueIndex, where: larger)
    }

    /// The four-lane form of `keepLarger`.
    @inline(__always)
    private static func keepLarger(
        _ value: SIMD4<Float>, _ valueIndex: SIMD4<Int32>, _ best: inout SIMD4<Float>, _ index: inout SIMD4<Int32>
    ) {
        let larger = .!(value .<= best) .& (best .== best)
        best.replace(with: value, where: larger)
        index.replace(with: valueIndex, where: larger)
    }
}
