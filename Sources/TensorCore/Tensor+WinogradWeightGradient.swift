/// The weight and bias gradients of a 3x3, stride-1, padding-1 convolution by Winograd's algorithm run
/// backwards (Lavin & Gray, CVPR 2016, section 5: the filter gradient is itself a minimal filtering).
extension Tensor {
    /// `dW` and `db` of `conv2d(weight:bias:stride: 1, padding: 1)` on this input `[batch, inC, H, W]` for
    /// the output gradient `g` `[batch, outC, H, W]`: the output's forward transform `Y = A^T (U ⊙ V) A`
    /// is bilinear, so `dU[ξ] = Σ_tiles (A dY A^T)[ξ] V[ξ]` (one GEMM per tile element over the tiles of
    /// a group of images, summed per piece of the batch, as its transpose) and `dW = G^T dU G`. It replaces the im2col
    /// matrix (9 times the input) and a GEMM 4 (F(4x4)) or 2.25 (F(2x2)) times larger. The tiles are
    /// those `conv2dWinograd` takes for this input; the pieces depend on the batch alone, so the bits do
    /// not depend on the thread count.
    func winogradParameterGradients(outputGradient g: Tensor, weight: Tensor, bias: Bool) -> (Tensor, Tensor?) {
        !Self.winogradSmallTiles && Winograd4x4Transforms.suits(channels: shape[1], width: shape[3])
            ? winogradParameterGradients(
                outputGradient: g, weight: weight, bias: bias, tiles: Winograd4x4Transforms.self)
            : winogradParameterGradients(
                outputGradient: g, weight: weight, bias: bias, tiles: Winograd2x2Transforms.self)
    }

    func winogradParameterGradients<T: WinogradTileTransforms>(
        outputGradient g: Tensor, weight: Tensor, bias: Bool, tiles kind: T.Type
    ) -> (Tensor, Tensor?) {
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let outChannels = weight.shape[0]
        let elements = T.elements
        let transforms = T(channels: channels, outChannels: outChannels, height: height, width: width)
        let tiles = transforms.tiles
        let split = ImageBatchSplit(
            batch: batch, flopsPerImage: 2.0 * Double(elements * outChannels * channels * tiles))
        let (inPlane, outPlane, positions) = (channels * height * width, outChannels * height * width, height * width)
        let partSize = elements * outChannels * channels
        let parts = TensorStorage(count: split.pieces * partSize)
        let biasParts = bias ? TensorStorage(count: split.pieces * outChannels) : nil
        split.run { piece, images in
            let du = parts.pointer + piece * partSize
            let scratchSize = Swift.max(transforms.inputScratch, transforms.outputGradientScratch)
            transforms.forEachGroup(of: images, scratch: scratchSize) { group, v, dm, scratch in
                let (columns, ld) = (group.columns, group.rowStride)
                transforms.transformInput(
                    self.data + group.first * inPlane, count: group.count, into: v, columns: columns, scratch: scratch)
                transforms.transformOutputGradient(
                    g.data + group.first * outPlane, count: group.count, into: dm, columns: columns, scratch: scratch)
                // dU[ξ]^T [inC, outC] += V[ξ] dM[ξ]^T: V is read in place and dM, of fewer rows in the U-Net's
                // widest layers, packed (the other way round, 96 -> 32 at 28x28 took 124-136 us an image, 83-98 so).
                for element in 0..<elements {
                    GEMM.multiply(
                        m: channels, n: outChannels, k: columns, a: v + element * channels * ld, lda: ld,
                        transA: false, b: dm + element * outChannels * ld, ldb: ld, transB: true,
                        c: du + element * outChannels * channels, ldc: outChannels, beta: 1,
                        threads: split.gemmThreads)
                }
                if let biasParts {
                    for image in group.first..<(group.first + group.count) {
                        ElementwiseKernels.accumulateRowTotals(
                            g.data + image * outPlane, rows: outChannels, width: positions,
                            into: biasParts.pointer + piece * outChannels)
                    }
                }
            }
        }
        let total = TensorStorage(uninitializedCount: partSize)
        ElementwiseKernels.sumRows(parts.pointer, rows: split.pieces, width: partSize, into: total.pointer)
        let du = TensorStorage(uninitializedCount: partSize)  // dU[ξ] [outC, inC], from the sums' transposes
        for element in 0..<elements {
            let (source, target) = (
                total.pointer + element * outChannels * channels, du.pointer + element * outChannels * channels
            )
            for c in 0..<channels {
                for k in 0..<outChannels { target[k * channels + c] = source[c * outChannels + k] }
            }
        }
        let weightGradient = Tensor(shape: weight.shape, storage: TensorStorage(uninitializedCount: weight.count))
        transforms.transformWeightGradient(du.pointer, into: weightGradient.data)
        let biasGradient = biasParts.map { parts in
            let result = Tensor(shape: [outChannels], storage: TensorStorage(uninitializedCount: outChannels))
            ElementwiseKernels.sumRows(parts.pointer, rows: split.pieces, width: outChannels, into: result.data)
            return result
        }
        return (weightGradient, biasGradient)
    }
}
