/// The im2col layouts that are not a shifted copy of the plane: a stride above 1, or fewer output
/// columns than input columns.
///
/// Each channel plane is first split into `stride` *phase planes*, the columns of the plane with a
/// zero border of `padding` grouped by their remainder modulo the stride. Every window then lies
/// inside the phases, and the inputs of one output row for kernel offset `(ky, kx)` are a
/// contiguous run of phase `kx % stride`: unfolding is short contiguous copies, folding short
/// contiguous adds, without bounds checks or zero runs. (Wong et al.'s 4x4 stride-2 convolutions
/// on 28x28 images give 14- and 7-wide rows; the per-row bounds, zero fills and strided element
/// loop there had cost as much as the GEMMs.)
extension Im2Col {
    /// Columns of one phase plane: the padded width divided by the stride, rounded up.
    var phaseWidth: Int { (width + 2 * padding + stride - 1) / stride }
    /// Elements of one phase plane (all `height + 2 * padding` rows).
    var phaseSize: Int { phaseWidth * (height + 2 * padding) }

    func unfoldStrided(image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, rowStride: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride * phaseSize) { buffer in
            let phases = buffer.baseAddress!
            // Only the interiors are written below, so the borders stay zero for every channel.
            phases.update(repeating: 0, count: stride * phaseSize)
            var row = columns
            for c in 0..<channels {
                splitIntoPhases(plane: image + c * height * width, phases: phases)
                for ky in 0..<kernelHeight {
                    for kx in 0..<kernelWidth {
                        var source = UnsafePointer(phaseStart(phases, ky: ky, kx: kx))
                        var out = row
                        for _ in 0..<outHeight {
                            Im2Col.copyRun(source, to: out, count: outWidth)
                            source += stride * phaseWidth
                            out += outWidth
                        }
                        row += rowStride
                    }
                }
            }
        }
    }

    /// The adjoint of `unfoldStrided`: each channel's rows are added into zeroed phase planes
    /// (kernel offsets in order, so every input gathers its terms in the order of a direct
    /// scatter), whose interiors are then added to the image.
    func foldStrided(columns: UnsafeMutablePointer<Float>, image: UnsafeMutablePointer<Float>, rowStride: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: stride * phaseSize) { buffer in
            let phases = buffer.baseAddress!
            var row = UnsafePointer(columns)
            for c in 0..<channels {
                phases.update(repeating: 0, count: stride * phaseSize)
                for ky in 0..<kernelHeight {
                    for kx in 0..<kernelWidth {
                        var target = phaseStart(phases, ky: ky, kx: kx)
                        var source = row
                        for _ in 0..<outHeight {
                            Im2Col.addRun(source, to: target, count: outWidth)
                            source += outWidth
                            target += stride * phaseWidth
                        }
                        row += rowStride
                    }
                }
                addPhases(phases, to: image + c * height * width)
            }
        }
    }

    /// Where the inputs of output row 0 for kernel offset `(ky, kx)` start.
    @inline(__always)
    private func phaseStart(_ phases: UnsafeMutablePointer<Float>, ky: Int, kx: Int) -> UnsafeMutablePointer<Float> {
        phases + ((kx % stride) * phaseSize + ky * phaseWidth + kx / stride)
    }

    /// Calls `body(first, planeRow, phaseRow)` for every phase and image row: the image row's columns
    /// `first, first + stride, ...` are the consecutive elements of the phase row that starts `phaseRow`
    /// floats into the phases (`planeRow`: where the image row starts in its channel plane).
    @inline(__always)
    private func forEachPhaseRow(_ body: (_ first: Int, _ planeRow: Int, _ phaseRow: Int) -> Void) {
        for phase in 0..<stride {
            // The first image column whose padded column `x + padding` falls in this phase.
            let first = ((phase - padding) % stride + stride) % stride
            for y in 0..<height {
                body(first, y * width, phase * phaseSize + (y + padding) * phaseWidth + (first + padding) / stride)
            }
        }
    }

    /// Copies one channel plane into the interiors of its phase planes.
    private func splitIntoPhases(plane: UnsafePointer<Float>, phases: UnsafeMutablePointer<Float>) {
        forEachPhaseRow { first, planeRow, phaseRow in
            var target = phases + phaseRow
            for x in Swift.stride(from: first, to: width, by: stride) {
                target.pointee = plane[planeRow + x]
                target += 1
            }
        }
    }

    /// Adds the interiors of the phase planes to one channel plane of the image.
    private func addPhases(_ phases: UnsafePointer<Float>, to plane: UnsafeMutablePointer<Float>) {
        forEachPhaseRow { first, planeRow, phaseRow in
            var source = phases + phaseRow
            for x in Swift.stride(from: first, to: width, by: stride) {
                plane[planeRow + x] += source.pointee
                source += 1
            }
        }
    }

    /// `target[0 ..< count] = source[0 ..< count]` for the short runs of one output row: 8 lanes at a
    /// time, the last (partial) vector overlapping the one before, so nothing past `count` is touched.
    @inline(__always)
    static func copyRun(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(target)
        if count >= 8 {
            var i = 0
            while i + 8 <= count {
                to.storeBytes(
                    of: from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), toByteOffset: 4 * i,
                    as: SIMD8<Float>.self)
                i += 8
            }
            if i < count {
                let last = 4 * (count - 8)
                to.storeBytes(
                    of: from.loadUnaligned(fromByteOffset: last, as: SIMD8<Float>.self), toByteOffset: last,
                    as: SIMD8<Float>.self)
            }
        } else if count >= 4 {
            let last = 4 * (count - 4)
            let head = from.loadUnaligned(as: SIMD4<Float>.self)
            let tail = from.loadUnaligned(fromByteOffset: last, as: SIMD4<Float>.self)
            to.storeBytes(of: head, as: SIMD4<Float>.self)
            to.storeBytes(of: tail, toByteOffset: last, as: SIMD4<Float>.self)
        } else {
            for i in 0..<count { target[i] = source[i] }
        }
    }

    /// `target[0 ..< count] += source[0 ..< count]`, 8 and then 4 lanes at a time.
    @inline(__always)
    static func addRun(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(target)
        var i = 0
        while i + 8 <= count {
            let sum =
                to.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                + from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            to.storeBytes(of: sum, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        if i + 4 <= count {
            let sum =
                to.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
                + from.loadUnaligned(fromByteOffset: 4 * i, as: SIMD4<Float>.self)
            to.storeBytes(of: sum, toByteOffset: 4 * i, as: SIMD4<Float>.self)
            i += 4
        }
        while i < count {
            target[i] += source[i]
            i += 1
        }
    }
}
