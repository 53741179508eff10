/// One convolution in its im2col form (`Tensor.conv2d` without Winograd): its geometry, how its batch
/// is cut over the threads (`ImageBatchSplit`) and into groups of images (`ConvolutionImageGroups`), and
/// the forward and backward passes of one group, which `conv2d` and `conv2dMaxPool` share.
///
/// A group's output, and its output's gradient, is the `[outC, count * positions]` matrix of the
/// group's images side by side (for a one-image group, the image's NCHW planes).
struct DirectConvolution: @unchecked Sendable {
    let input: Tensor
    let weight: Tensor
    let bias: Tensor?
    let geometry: Im2Col
    let split: ImageBatchSplit
    let grouping: ConvolutionImageGroups

    init(input: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) {
        precondition(input.rank == 4 && weight.rank == 4, "conv2d needs NCHW input and [out,in,kh,kw] weight")
        let (channels, height, width) = (input.shape[1], input.shape[2], input.shape[3])
        precondition(
            weight.shape[1] == channels, "conv2d: input has \(channels) channels, weight expects \(weight.shape[1])")
        precondition(stride >= 1 && padding >= 0, "conv2d: stride must be >= 1 and padding >= 0")
        geometry = Im2Col(
            channels: channels, height: height, width: width, kernelHeight: weight.shape[2],
            kernelWidth: weight.shape[3], stride: stride, padding: padding)
        precondition(geometry.outHeight > 0 && geometry.outWidth > 0, "conv2d: kernel larger than the padded input")
        (self.input, self.weight, self.bias) = (input, weight, bias)
        split = ImageBatchSplit(
            batch: input.shape[0], flopsPerImage: 2.0 * Double(weight.shape[0] * geometry.positions * geometry.patch))
        grouping = ConvolutionImageGroups(geometry: geometry)
    }

    var outChannels: Int { weight.shape[0] }
    /// Floats of one image's output.
    var outPlane: Int { outChannels * geometry.positions }

    /// The weight's and bias's gradient sums for the pieces of the batch.
    func parameterGradientParts() -> ParameterGradientParts {
        ParameterGradientParts(
            pieces: split.pieces, weight: weight, bias: bias,
            transposedWeight: outChannels <= GEMMBlocking().inPlaceMaxColumns)
    }

    /// The output of the images `group` as their `[outC, count * positions]` matrix, bias added, into
    /// `result`: one GEMM against their im2col matrix, unfolded into `columns` (nil for a 1x1 kernel,
    /// whose columns are the image itself).
    func forward(_ group: Range<Int>, columns: TensorStorage?, into result: UnsafeMutablePointer<Float>) {
        let columnWidth = group.count * geometry.positions
        let images = input.data + group.lowerBound * geometry.imageSize
        if let columns { geometry.unfold(images: images, count: group.count, columns: columns.pointer) }
        GEMM.multiply(
            m: outChannels, n: columnWidth, k: geometry.patch, a: weight.data, lda: geometry.patch, transA: false,
            b: columns?.pointer ?? images, ldb: columnWidth, transB: false, c: result, ldc: columnWidth,
            threads: split.gemmThreads)
        if let bias { ElementwiseKernels.addToRows(result, rows: outChannels, width: columnWidth, bias.data) }
    }

    /// The images `group`'s share of the gradients from their output's gradient `gradOut` (their
    /// `[outC, count * positions]` matrix): added into `piece`'s weight and bias sums in `parts`, and
    /// written into their images of `gradInput` when given. `columns` is scratch for their im2col matrix
    /// (nil for a 1x1 kernel).
    func backward(
        _ group: Range<Int>, piece: Int, gradOut: UnsafePointer<Float>, columns scratch: TensorStorage?,
        parts: ParameterGradientParts, gradInput: Tensor?
    ) {
        let (patch, columnWidth) = (geometry.patch, group.count * geometry.positions)
        let image = input.data + group.lowerBound * geometry.imageSize
        if let sum = parts.weight(of: piece) {
            if let scratch { geometry.unfold(images: image, count: group.count, columns: scratch.pointer) }
            let columns = UnsafePointer(scratch?.pointer ?? image)
            if let sumT = parts.transposedWeight(of: piece) {
                // dW^T [patch, outC] += columns [patch, width] x gradOut^T: the columns are read in place as A
                // instead of being packed transposed as B (same terms, same order).
                GEMM.multiply(
                    m: patch, n: outChannels, k: columnWidth, a: columns, lda: columnWidth, transA: false,
                    b: gradOut, ldb: columnWidth, transB: true, c: sumT, ldc: outChannels, beta: 1,
                    threads: split.gemmThreads)
            } else {
                GEMM.multiply(
                    m: outChannels, n: patch, k: columnWidth, a: gradOut, lda: columnWidth, transA: false,
                    b: columns, ldb: columnWidth, transB: true, c: sum, ldc: patch, beta: 1,
                    threads: split.gemmThreads)
            }
        }
        if let sums = parts.bias(of: piece) {
            ElementwiseKernels.accumulateRowTotals(gradOut, rows: outChannels, width: columnWidth, into: sums)
        }
        if let gradInput {
            // The GEMM (a 1x1 kernel) or the fold writes the images whole: no zero fill.
            let target = gradInput.data + group.lowerBound * geometry.imageSize
            GEMM.multiply(
                m: patch, n: columnWidth, k: outChannels, a: weight.data, lda: patch, transA: true,
                b: gradOut, ldb: columnWidth, transB: false, c: scratch?.pointer ?? target, ldc: columnWidth,
                threads: split.gemmThreads)
            if let scratch {
                geometry.fold(columns: scratch.pointer, count: group.count, images: target, overwriting: true)
            }
        }
    }
}
