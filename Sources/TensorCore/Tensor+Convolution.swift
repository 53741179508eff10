/// Differentiable 2-D convolution (im2col + GEMM) and transposed convolution on NCHW tensors.
extension Tensor {
    /// Cross-correlation as in PyTorch's `Conv2d`.
    /// - Parameters: self [batch, inC, H, W]; weight [outC, inC, kh, kw]; bias [outC].
    /// - Returns: [batch, outC, outH, outW].
    ///
    /// One GEMM per group of images (`ConvolutionImageGroups`; one image when the output plane is
    /// large), `W [outC, patch] x columns [patch, images * outH*outW]`; a one-image group writes
    /// straight into its NCHW output, a larger one is scattered into it. The images are spread over
    /// the threads (`ImageBatchSplit`).
    ///
    /// - Parameter allowWinograd: a 3x3 kernel with stride 1 and padding 1 has its forward pass computed
    ///   by Winograd's F(4x4, 3x3) or F(2x2, 3x3) instead (`conv2dWinograd`): the same convolution to
    ///   rounding, in 4 or 2.25 times fewer multiplications and without the input's im2col. A recorded
    ///   result's backward pass is Winograd's too: the input's gradient (`winogradInputGradient`) and the
    ///   weight's and bias's (`winogradParameterGradients`), from the input, the weight and the output's
    ///   gradient alone.
    public func conv2d(
        weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, allowWinograd: Bool = false
    ) -> Tensor {
        let winograd =
            allowWinograd
            && Self.winogradApplies(input: self, weight: weight, stride: stride, padding: padding)
        let recorded = GradMode.isEnabled && (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        if winograd && !recorded { return conv2dWinograd(weight: weight, bias: bias) }
        let conv = DirectConvolution(input: self, weight: weight, bias: bias, stride: stride, padding: padding)
        let (grouping, outPlane) = (conv.grouping, conv.outPlane)
        let out: Tensor
        if winograd {
            out = conv2dWinograd(weight: weight, bias: bias)
        } else {
            out = Tensor(
                shape: [shape[0], conv.outChannels, conv.geometry.outHeight, conv.geometry.outWidth],
                storage: TensorStorage(uninitializedCount: shape[0] * outPlane))
            conv.split.run { _, images in
                let columns = grouping.columnScratch(conv.geometry)
                let staging = grouping.staging(planeSize: outPlane)
                for group in grouping.groups(of: images) {
                    let target = out.data + group.lowerBound * outPlane
                    let result = group.count > 1 ? staging!.pointer : target
                    conv.forward(group, columns: columns, into: result)
                    if group.count > 1 {
                        ConvolutionImageGroups.scatter(
                            matrix: result, count: group.count, rows: conv.outChannels,
                            positions: conv.geometry.positions, into: target)
                    }
                }
            }
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(out, inputs: inputs) { [self] g, _ in
            // The input's gradient of a Winograd convolution is itself one (`winogradInputGradient`);
            // otherwise each thread writes its own images' gradient whole (a zero fill of the whole gradient
            // on the calling thread was 1.3% of a CNN step).
            let winogradInput = winograd && self.requiresGrad
            let gradInput =
                winogradInput
                ? g.winogradInputGradient(weight: weight)
                : self.requiresGrad
                    ? Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count)) : nil
            // So are its weight's and bias's (`winogradParameterGradients`).
            if winograd && weight.requiresGrad {
                let (weightGradient, biasGradient) = self.winogradParameterGradients(
                    outputGradient: g, weight: weight, bias: bias != nil)
                return [gradInput, weightGradient] + (bias != nil ? [biasGradient] : [])
            }
            let parts = conv.parameterGradientParts()
            conv.split.run { piece, images in
                let scratch = grouping.columnScratch(conv.geometry)
                let staging = grouping.staging(planeSize: outPlane)
                for group in grouping.groups(of: images) {
                    var gradOut = UnsafePointer(g.data + group.lowerBound * outPlane)
                    if group.count > 1, let staging {
                        ConvolutionImageGroups.gather(
                            planes: gradOut, count: group.count, rows: conv.outChannels,
                            positions: conv.geometry.positions, into: staging.pointer)
                        gradOut = UnsafePointer(staging.pointer)
                    }
                    conv.backward(
                        group, piece: piece, gradOut: gradOut, columns: scratch, parts: parts,
                        gradInput: winogradInput ? nil : gradInput)
                }
            }
            return [gradInput] + parts.totals()
        }
    }

    /// Transposed convolution as in PyTorch's `ConvTranspose2d` (the adjoint of `conv2d`).
    /// - Parameters: self [batch, inC, H, W]; weight [inC, outC, kh, kw]; bias [outC].
    /// - Returns: [batch, outC, (H-1)*stride - 2*padding + kh, ...].
    ///
    /// Per image: `W^T [outC*kh*kw, inC] x x [inC, H*W]` gives the columns of the output, which
    /// `Im2Col.fold` scatters into it.
    public func convTranspose2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(rank == 4 && weight.rank == 4, "convTranspose2d needs NCHW input and [in,out,kh,kw] weight")
        let (batch, inChannels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let (outChannels, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(
            weight.shape[0] == inChannels,
            "convTranspose2d: input has \(inChannels) channels, weight expects \(weight.shape[0])")
        precondition(stride >= 1 && padding >= 0, "convTranspose2d: stride must be >= 1 and padding >= 0")
        let oh = (height - 1) * stride - 2 * padding + kh
        let ow = (width - 1) * stride - 2 * padding + kw
        precondition(oh > 0 && ow > 0, "convTranspose2d: empty output")
        // The output's geometry as a convolution input: its windows are the input's pixels.
        let geometry = Im2Col(
            channels: outChannels, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw,
            stride: stride, padding: padding)
        precondition(
            geometry.outHeight == height && geometry.outWidth == width, "convTranspose2d: inconsistent geometry")
        let (patch, positions) = (geometry.patch, geometry.positions)
        let inPlane = inChannels * positions
        let split = ImageBatchSplit(batch: batch, flopsPerImage: 2.0 * Double(inPlane * patch))
        let out = Tensor(
            shape: [batch, outChannels, oh, ow], storage: TensorStorage(uninitializedCount: batch * geometry.imageSize))
        split.run { _, images in
            let columns = TensorStorage(uninitializedCount: geometry.columnCount)
            for b in images {
                let target = out.data + b * geometry.imageSize
                GEMM.multiply(
                    m: patch, n: positions, k: inChannels, a: weight.data, lda: patch, transA: true,
                    b: self.data + b * inPlane, ldb: positions, transB: false, c: columns.pointer,
                    ldc: positions, threads: split.gemmThreads)
                geometry.fold(columns: columns.pointer, image: target, overwriting: true)
                if let bias { ElementwiseKernels.addToRows(target, rows: outChannels, width: oh * ow, bias.data) }
            }
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(out, inputs: inputs) { [self] g, _ in
            let parts = ParameterGradientParts(pieces: split.pieces, weight: weight, bias: bias)
            let gradInput =
                self.requiresGrad
                ? Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count)) : nil
            split.run { piece, images in
                let gradColumns = TensorStorage(uninitializedCount: geometry.columnCount)
                let needColumns = gradInput != nil || parts.weight(of: piece) != nil
                for b in images {
                    let gradOut = g.data + b * geometry.imageSize
                    if needColumns { geometry.unfold(image: gradOut, columns: gradColumns.pointer) }
                    if let gradInput {
                        GEMM.multiply(
                            m: inChannels, n: positions, k: patch, a: weight.data, lda: patch, transA: false,
                            b: gradColumns.pointer, ldb: positions, transB: false,
                            c: gradInput.data + b * inPlane, ldc: positions, threads: split.gemmThreads)
                    }
                    if let sum = parts.weight(of: piece) {
                        GEMM.multiply(
                            m: inChannels, n: patch, k: positions, a: self.data + b * inPlane, lda: positions,
                            transA: false, b: gradColumns.pointer, ldb: positions, transB: true, c: sum, ldc: patch,
                            beta: 1, threads: split.gemmThreads)
                    }
                    if let sums = parts.bias(of: piece) {
                        ElementwiseKernels.accumulateRowTotals(gradOut, rows: outChannels, width: oh * ow, into: sums)
                    }
                }
            }
            return [gradInput] + parts.totals()
        }
    }
}

/// A convolution's weight and bias gradients, summed per piece of the batch (each piece on its own
/// thread, so no two threads add into the same memory) and totalled once the pieces are done.
struct ParameterGradientParts: Sendable {
    let pieces: Int
    let weightShape: [Int]
    let biasShape: [Int]?
    /// `pieces` consecutive blocks, one per piece; nil when the weight needs no gradient.
    let weightSums: TensorStorage?
    /// With `transposedWeight`: each piece's weight gradient as its transpose, `[inC * kh * kw, outC]`,
    /// transposed into `weightSums` by `totals()`.
    let transposedWeightSums: TensorStorage?
    let biasSums: TensorStorage?

    /// - Parameter transposedWeight: the pieces add their weight gradients transposed
    ///   (`transposedWeight(of:)`), so that the product reads the unfolded images in place (`GEMM` reads A
    ///   in place for at most `inPlaceMaxColumns` columns of C) instead of packing them transposed.
    ///   Every element receives the same terms in the same order either way.
    init(pieces: Int, weight: Tensor, bias: Tensor?, transposedWeight: Bool = false) {
        self.pieces = pieces
        weightShape = weight.shape
        biasShape = bias?.shape
        let weightCount = pieces * weight.count
        if !weight.requiresGrad {
            (weightSums, transposedWeightSums) = (nil, nil)
        } else if transposedWeight {
            // `totals()` writes the transposed sums whole into `weightSums`: no zero fill for those.
            (weightSums, transposedWeightSums) = (
                TensorStorage(uninitializedCount: weightCount), TensorStorage(count: weightCount)
            )
        } else {
            (weightSums, transposedWeightSums) = (TensorStorage(count: weightCount), nil)
        }
        biasSums = bias.map { TensorStorage(count: pieces * $0.count) }
    }

    /// Where `piece` adds its weight gradient (nil when none is needed).
    func weight(of piece: Int) -> UnsafeMutablePointer<Float>? {
        weightSums.map { $0.pointer + piece * Tensor.elementCount(weightShape) }
    }

    /// Where `piece` adds its weight gradient transposed, `[inC * kh * kw, outC]` (nil unless the parts
    /// were made with `transposedWeight` and the weight needs a gradient).
    func transposedWeight(of piece: Int) -> UnsafeMutablePointer<Float>? {
        transposedWeightSums.map { $0.pointer + piece * Tensor.elementCount(weightShape) }
    }

    /// Where `piece` adds its bias gradient (nil without a bias).
    func bias(of piece: Int) -> UnsafeMutablePointer<Float>? {
        guard let biasSums, let biasShape else { return nil }
        return biasSums.pointer + piece * Tensor.elementCount(biasShape)
    }

    /// The weight gradient (nil when not needed) and, with a bias, the bias gradient.
    func totals() -> [Tensor?] {
        func total(_ sums: TensorStorage, _ shape: [Int]) -> Tensor {
            let result = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(shape)))
            ElementwiseKernels.sumRows(sums.pointer, rows: pieces, width: result.count, into: result.data)
            return result
        }
        if let transposedWeightSums, let weightSums {
            let rows = weightShape[0]
            let columns = Tensor.elementCount(weightShape) / max(rows, 1)
            for piece in 0..<pieces {
                let offset = piece * rows * columns
                let (source, target) = (transposedWeightSums.pointer + offset, weightSums.pointer + offset)
                for row in 0..<rows {
                    for column in 0..<columns { target[row * columns + column] = source[column * rows + row] }
                }
            }
        }
        var grads: [Tensor?] = [weightSums.map { total($0, weightShape) }]
        if let biasSums, let biasShape { grads.append(total(biasSums, biasShape)) }
        return grads
    }
}
