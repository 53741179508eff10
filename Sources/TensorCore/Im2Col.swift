/// Unrolls the convolution windows of one image into a matrix, so that a 2-D convolution becomes
/// one GEMM per image (Chellapilla, Puri and Simard, "High Performance Convolutional Neural
/// Networks for Document Processing", 2006; the layout Caffe and PyTorch use).
///
/// `columns` is `[channels * kernelHeight * kernelWidth, outHeight * outWidth]`: row `(c, ky, kx)`
/// holds, for every output position `(oy, ox)`, the input element
/// `image[c, oy * stride - padding + ky, ox * stride - padding + kx]` (zero outside the image).
/// A convolution with weights `W[outC, channels * kh * kw]` is then `W x columns`, which is the
/// image's output `[outC, outHeight, outWidth]` in NCHW order: no transposes are needed. For
/// stride 1 every row is a shifted copy of the input plane, so the copies are contiguous runs.
public struct Im2Col: Sendable {
    public let channels: Int, height: Int, width: Int
    public let kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int
    public let outHeight: Int, outWidth: Int

    public init(
        channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int,
        padding: Int
    ) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        outHeight = Im2Col.outputSize(height, kernel: kernelHeight, stride: stride, padding: padding)
        outWidth = Im2Col.outputSize(width, kernel: kernelWidth, stride: stride, padding: padding)
    }

    /// Output extent of a convolution: `(size + 2 * padding - kernel) / stride + 1`.
    public static func outputSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        precondition(
            stride > 0 && kernel > 0 && padding >= 0, "Im2Col: invalid kernel, stride or padding")
        return (size + 2 * padding - kernel) / stride + 1
    }

    /// Elements of one input image, `channels * height * width`.
    public var imageSize: Int { channels * height * width }
    /// Rows of `columns`: `channels * kernelHeight * kernelWidth`.
    public var patch: Int { channels * kernelHeight * kernelWidth }
    /// Columns of `columns`: the output positions `outHeight * outWidth`.
    public var positions: Int { max(0, outHeight) * max(0, outWidth) }
    /// Elements of `columns`.
    public var columnCount: Int { patch * positions }
    /// A 1x1 kernel with stride 1 and no padding: `columns` is the image itself.
    public var isIdentity: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }

    /// The output columns `ox` whose input column `ox * stride + offset` lies in `0 ..< size`.
    @inline(__always)
    static func validRange(offset: Int, size: Int, stride: Int, count: Int) -> Range<Int> {
        // Smallest ox with ox * stride + offset >= 0, and one past the largest with
        // ox * stride + offset <= size - 1.
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let high = size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1
        let lower = min(low, count)
        return lower..<max(lower, min(high, count))
    }

    /// One image `[channels, height, width]` -> `columns` as described on the type, its rows
    /// `rowStride` floats apart (at least `positions`; more when several images' columns sit side
    /// by side in one matrix).
    public func unfold(image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let rowStride = rowStride ?? positions
        guard isShifted else { return unfoldStrided(image: image, columns: columns, rowStride: rowStride) }
        forEachKernelOffset(rows: columns, rowStride: rowStride) { row, c, ky, kx in
            let plane = image + c * height * width
            let (shift, span) = shiftedSpan(ky: ky, kx: kx)
            ElementwiseKernels.zero(row, count: span.lowerBound)
            ElementwiseKernels.copy(plane + (span.lowerBound + shift), to: row + span.lowerBound, count: span.count)
            ElementwiseKernels.zero(row + span.upperBound, count: positions - span.upperBound)
            zeroColumnsOutsideImage(row: row, kx: kx)
        }
    }

    /// `count` consecutive images side by side: image `i`'s columns start `i * positions` into each
    /// row of one `[patch, count * positions]` matrix (one GEMM then covers them all).
    public func unfold(images: UnsafePointer<Float>, count: Int, columns: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            unfold(image: images + i * imageSize, columns: columns + i * positions, rowStride: count * positions)
        }
    }

    /// The adjoint of `unfold(images:count:columns:)`: folds each image's part of the matrix into it.
    /// With `overwriting`, the images' old contents are ignored (the caller need not zero them).
    public func fold(
        columns: UnsafeMutablePointer<Float>, count: Int, images: UnsafeMutablePointer<Float>, overwriting: Bool = false
    ) {
        for i in 0..<count {
            fold(
                columns: columns + i * positions, image: images + i * imageSize, rowStride: count * positions,
                overwriting: overwriting)
        }
    }

    /// The adjoint of `unfold`: accumulates (`+=`) `columns` into one image's gradient (the
    /// caller zeroes it first), or, `overwriting`, writes the image whole. `columns` is scratch: its
    /// entries whose input lies outside the image may be zeroed. Its rows are `rowStride` floats
    /// apart, as for `unfold`.
    ///
    /// Overwriting sums the same terms in the same order: in the shifted layout each channel's first
    /// kernel offset is copied into its plane instead of added to zeros (and the plane's elements it
    /// does not reach are zeroed), which saves a zero fill and a read of the whole gradient
    /// (a U-Net step's zero fills were 2% of its samples).
    public func fold(
        columns: UnsafeMutablePointer<Float>, image: UnsafeMutablePointer<Float>, rowStride: Int? = nil,
        overwriting: Bool = false
    ) {
        let rowStride = rowStride ?? positions
        guard isShifted else {
            if overwriting { image.update(repeating: 0, count: imageSize) }
            return foldStrided(columns: columns, image: image, rowStride: rowStride)
        }
        let planeSize = height * width
        forEachKernelOffset(rows: columns, rowStride: rowStride) { row, c, ky, kx in
            let plane = image + c * planeSize
            // Entries whose input column is outside the image would land on a neighbouring
            // image row of the contiguous add: zero them first.
            zeroColumnsOutsideImage(row: row, kx: kx)
            let (shift, span) = shiftedSpan(ky: ky, kx: kx)
            if overwriting && ky == 0 && kx == 0 {
                let low = min(planeSize, max(0, span.lowerBound + shift))
                let high = max(low, min(planeSize, span.upperBound + shift))
                ElementwiseKernels.zero(plane, count: low)
                ElementwiseKernels.copy(row + span.lowerBound, to: plane + low, count: high - low)
                ElementwiseKernels.zero(plane + high, count: planeSize - high)
            } else {
                ElementwiseKernels.add(row + span.lowerBound, to: plane + (span.lowerBound + shift), count: span.count)
            }
        }
    }

    /// Calls `body` with the row of `columns` for every kernel offset `(c, ky, kx)`, in order.
    @inline(__always)
    private func forEachKernelOffset(
        rows columns: UnsafeMutablePointer<Float>, rowStride: Int,
        _ body: (UnsafeMutablePointer<Float>, Int, Int, Int) -> Void
    ) {
        precondition(rowStride >= positions, "Im2Col: rows closer together than the output positions")
        var row = columns
        for c in 0..<channels {
            for ky in 0..<kernelHeight {
                for kx in 0..<kernelWidth {
                    body(row, c, ky, kx)
                    row += rowStride
                }
            }
        }
    }

    /// Stride 1 with as many output columns as input columns: row `(c, ky, kx)` is the plane
    /// shifted by a constant, so it is copied (and folded back) as one contiguous run.
    private var isShifted: Bool { stride == 1 && outWidth == width }

    /// For the shifted layout: the constant `(ky - padding) * width + kx - padding` from an output
    /// position to its input element, and the positions whose input index lies in the plane.
    @inline(__always)
    private func shiftedSpan(ky: Int, kx: Int) -> (shift: Int, span: Range<Int>) {
        let shift = (ky - padding) * width + kx - padding
        let low = min(positions, max(0, -shift))
        return (shift, low..<max(low, min(positions, height * width - shift)))
    }

    /// Zeroes, in every output row, the columns whose input column `ox - padding + kx` lies
    /// outside the image (in the shifted layout they hold a neighbouring row's pixels).
    @inline(__always)
    private func zeroColumnsOutsideImage(row: UnsafeMutablePointer<Float>, kx: Int) {
        let valid = Im2Col.validRange(offset: kx - padding, size: width, stride: 1, count: outWidth)
        if valid.count == outWidth { return }
        // Column by column down the rows: a run of one or two floats per output row became a call to
        // `memset` per row.
        for ox in 0..<valid.lowerBound { zeroColumn(row + ox) }
        for ox in valid.upperBound..<outWidth { zeroColumn(row + ox) }
    }

    /// Zeroes one output column: `outHeight` floats `outWidth` apart.
    @inline(__always)
    private func zeroColumn(_ first: UnsafeMutablePointer<Float>) {
        var element = first
        for _ in 0..<outHeight {
            element.pointee = 0
            element += outWidth
        }
    }
}
