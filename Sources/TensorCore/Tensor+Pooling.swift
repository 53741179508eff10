/// Differentiable max pooling and nearest-neighbour upsampling on NCHW tensors, spread over the
/// compute threads by planes (one plane is one channel of one image).
extension Tensor {
    /// Max pooling with a square window (PyTorch's `MaxPool2d(kernel, stride)`, no padding). The
    /// gradient goes to the first maximum of each window, as in PyTorch; a window with a NaN gives NaN
    /// (its first), as PyTorch's does.
    public func maxPool2d(kernel: Int, stride: Int? = nil) -> Tensor {
        precondition(rank == 4, "maxPool2d needs NCHW input")
        let step = stride ?? kernel
        precondition(kernel >= 1 && step >= 1, "maxPool2d: kernel and stride must be >= 1")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let oh = (height - kernel) / step + 1
        let ow = (width - kernel) / step + 1
        precondition(height >= kernel && width >= kernel && oh > 0 && ow > 0, "maxPool2d: window larger than the input")
        let planes = batch * channels
        let (planeIn, planeOut) = (height * width, oh * ow)
        let out = Tensor(
            shape: [batch, channels, oh, ow], storage: TensorStorage(uninitializedCount: planes * planeOut))
        // Index of each window's winner inside its input plane.
        let winners = WinnerStorage(count: planes * planeOut)
        Tensor.forEachPlaneRange(planes: planes, elementsPerPlane: planeIn) { range in
            for plane in range {
                Tensor.maxPoolPlane(
                    self.data + plane * planeIn, height: height, width: width, kernel: kernel, stride: step,
                    into: out.data + plane * planeOut, winners: winners.pointer + plane * planeOut)
            }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            // Each thread clears its own planes before adding into them (a zero fill of the whole gradient on
            // the calling thread was 1.5% of a CNN step).
            let grad = Tensor(shape: inputShape, storage: TensorStorage(uninitializedCount: planes * planeIn))
            Tensor.forEachPlaneRange(planes: planes, elementsPerPlane: planeIn) { range in
                for plane in range {
                    let target = grad.data + plane * planeIn
                    target.update(repeating: 0, count: planeIn)
                    Tensor.maxPoolPlaneGradient(
                        g.data + plane * planeOut, winners: winners.pointer + plane * planeOut, count: planeOut,
                        into: target)
                }
            }
            return [grad]
        }
    }

    /// One plane's max pooling: each window's maximum into `maxima` and its winner's index in the plane
    /// into `winners` (the first maximum in the window's row-major order; the first NaN, if any).
    static func maxPoolPlane(
        _ src: UnsafePointer<Float>, height: Int, width: Int, kernel: Int, stride step: Int,
        into dst: UnsafeMutablePointer<Float>, winners win: UnsafeMutablePointer<Int32>
    ) {
        let oh = (height - kernel) / step + 1
        let ow = (width - kernel) / step + 1
        if kernel == 2 && step == 2 && ow >= 4 {
            for oy in 0..<oh {
                MaxPoolWindows.row(
                    top: src + 2 * oy * width, width: width, rowBase: 2 * oy * width, outputs: ow,
                    maxima: dst + oy * ow, winners: win + oy * ow)
            }
            return
        }
        for oy in 0..<oh {
            for ox in 0..<ow {
                let corner = (oy * step) * width + ox * step
                var best = src[corner]
                var bestIndex = corner
                if kernel == 2 {
                    // The common 2x2 window, unrolled; ties keep the first, as below.
                    if Tensor.replacesMaximum(src[corner + 1], best) {
                        best = src[corner + 1]
                        bestIndex = corner + 1
                    }
                    if Tensor.replacesMaximum(src[corner + width], best) {
                        best = src[corner + width]
                        bestIndex = corner + width
                    }
                    if Tensor.replacesMaximum(src[corner + width + 1], best) {
                        best = src[corner + width + 1]
                        bestIndex = corner + width + 1
                    }
                } else {
                    for ky in 0..<kernel {
                        for kx in 0..<kernel {
                            let index = corner + ky * width + kx
                            if Tensor.replacesMaximum(src[index], best) {
                                best = src[index]
                                bestIndex = index
                            }
                        }
                    }
                }
                dst[oy * ow + ox] = best
                win[oy * ow + ox] = Int32(bestIndex)
            }
        }
    }

    /// Adds each window's gradient `source[i]` into `target[winners[i]]`, over one plane of `count`
    /// windows (the max pooling's backward pass; `target` holds zeros or earlier sums).
    @inline(__always)
    static func maxPoolPlaneGradient(
        _ source: UnsafePointer<Float>, winners: UnsafePointer<Int32>, count: Int,
        into target: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count { target[Int(winners[i])] += source[i] }
    }

    /// Whether a window's scan replaces its maximum so far, `best`, by `value`: when `value` is larger,
    /// or is NaN while `best` is not (so the first NaN wins and stays).
    @inline(__always)
    static func replacesMaximum(_ value: Float, _ best: Float) -> Bool {
        !(value <= best) && best == best
    }

    /// Nearest-neighbour upsampling by an integer factor.
    public func upsampleNearest(factor: Int) -> Tensor {
        precondition(rank == 4 && factor >= 1, "upsampleNearest needs NCHW input and factor >= 1")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let oh = height * factor
        let ow = width * factor
        let planes = batch * channels
        let (planeIn, planeOut) = (height * width, oh * ow)
        let out = Tensor(
            shape: [batch, channels, oh, ow], storage: TensorStorage(uninitializedCount: planes * planeOut))
        Tensor.forEachPlaneRange(planes: planes, elementsPerPlane: planeOut) { range in
            for plane in range {
                Tensor.upsamplePlane(
                    self.data + plane * planeIn, into: out.data + plane * planeOut, height: height, width: width,
                    factor: factor)
            }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(shape: inputShape, storage: TensorStorage(uninitializedCount: planes * planeIn))
            Tensor.forEachPlaneRange(planes: planes, elementsPerPlane: planeOut) { range in
                for plane in range {
                    let src = g.data + plane * planeOut
                    let dst = grad.data + plane * planeIn
                    dst.update(repeating: 0, count: planeIn)
                    for y in 0..<oh {
                        let line = dst + (y / factor) * width
                        let row = src + y * ow
                        if factor == 2 {
                            for x in 0..<width { line[x] += row[2 &* x] + row[2 &* x &+ 1] }
                        } else {
                            for x in 0..<ow { line[x / factor] += row[x] }
                        }
                    }
                }
            }
            return [grad]
        }
    }

    /// One `height x width` plane of `source` upsampled by `factor` into `target`: each row computed once
    /// and copied to the `factor - 1` rows below it; by 2, eight pixels at a time, each written twice.
    static func upsamplePlane(
        _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, height: Int, width: Int,
        factor: Int
    ) {
        let ow = width * factor
        for y in 0..<height {
            let line = source + y * width
            let row = target + y * factor * ow
            var x = 0
            if factor == 2 {
                while x + 8 <= width {
                    let pixels = UnsafeRawPointer(line + x).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(row + 2 * x).storeBytes(
                        of: WinogradVectors.interleave(pixels, pixels), as: SIMD16<Float>.self)
                    x += 8
                }
            }
            for outX in (x * factor)..<ow { row[outX] = line[outX / factor] }
            for copy in 1..<factor { (row + copy * ow).update(from: row, count: ow) }
        }
    }

    /// Runs `body` over contiguous ranges of planes, on all compute threads when the tensor is
    /// large enough for that to pay.
    static func forEachPlaneRange(planes: Int, elementsPerPlane: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let threads = min(ComputeThreads.count, planes)
        if threads <= 1 || planes * elementsPerPlane < 1 << 15 {
            body(0..<planes)
            return
        }
        let pieces = min(planes, threads * 4)
        ComputePool.shared.run(iterations: pieces, threads: threads) { piece in
            body(GEMM.split(units: planes, parts: pieces, index: piece))
        }
    }
}

/// The winners' indices of one max pooling, written by the threads (each its own planes), kept for
/// the backward pass and freed with it.
final class WinnerStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
    init(count: Int) { pointer = .allocate(capacity: Swift.max(1, count)) }
    deinit { pointer.deallocate() }
}
