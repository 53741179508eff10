import Foundation

/// A 3x3, stride-1, padding-1 convolution's forward pass by Winograd's minimal filtering F(4x4, 3x3)
/// or F(2x2, 3x3) (Lavin & Gray, CVPR 2016): 4 or 2.25 times fewer multiplications than `conv2d`'s
/// im2col GEMM, for inference (sampling, purification) and for the forward pass of training (the
/// U-Net's).
extension Tensor {
    /// False when the environment says `MANIFOLD_WINOGRAD=off`: every convolution then runs as
    /// `conv2d`'s im2col GEMM, to compare.
    static let winogradEnabled = ProcessInfo.processInfo.environment["MANIFOLD_WINOGRAD"] != "off"

    /// True when the environment says `MANIFOLD_WINOGRAD=2x2`: every Winograd convolution then takes
    /// F(2x2, 3x3), to compare.
    static let winogradSmallTiles = ProcessInfo.processInfo.environment["MANIFOLD_WINOGRAD"] == "2x2"

    /// Images' tiles side by side in one group's matrices: about this many columns per GEMM.
    static let winogradColumns = 256

    /// Whether `conv2d(..., allowWinograd: true)` computes its forward pass, and a recorded result's
    /// backward pass, by Winograd: a 3x3 kernel with stride 1 and padding 1 (same-size output).
    static func winogradApplies(input: Tensor, weight: Tensor, stride: Int, padding: Int) -> Bool {
        winogradEnabled && stride == 1 && padding == 1 && weight.rank == 4 && input.rank == 4
            && weight.shape[2] == 3 && weight.shape[3] == 3 && weight.shape[1] == input.shape[1]
    }

    /// The input gradient of a 3x3, stride-1, padding-1 convolution, for this output gradient
    /// `[batch, outC, H, W]`: the same kind of convolution with the weight's kernels turned by 180 degrees
    /// and its channels swapped (`W'[c, o, ky, kx] = W[o, c, 2 - ky, 2 - kx]`), by Winograd. It replaces
    /// a GEMM into a 9-fold im2col matrix and the fold of that matrix back into the images.
    func winogradInputGradient(weight: Tensor) -> Tensor {
        let (outChannels, channels) = (weight.shape[0], weight.shape[1])
        let turned = Tensor(
            shape: [channels, outChannels, 3, 3], storage: TensorStorage(uninitializedCount: weight.count))
        let (source, target) = (weight.data, turned.data)
        for o in 0..<outChannels {
            for c in 0..<channels {
                for k in 0..<9 { target[(c * outChannels + o) * 9 + k] = source[(o * channels + c) * 9 + 8 - k] }
            }
        }
        return conv2dWinograd(weight: turned, bias: nil)
    }

    /// `conv2d(weight:bias:stride: 1, padding: 1)` for a `[outC, inC, 3, 3]` weight, computed by
    /// Winograd's F(4x4, 3x3) where `Winograd4x4Transforms.suits` says so, else by F(2x2, 3x3) (always
    /// F(2x2, 3x3) under `MANIFOLD_WINOGRAD=2x2`). Forward only: it records no gradient (`conv2d`
    /// records the backward pass, `winogradInputGradient` and `winogradParameterGradients`).
    ///
    /// With a `shift` (`[batch, outC]`) and a `residual` (the output's shape), the result is bitwise
    /// `shiftedPerChannel(by: shift)` and then `+ residual` applied to the convolution's: the output
    /// transform adds them as it writes each row (`WinogradOutputAddends`).
    func conv2dWinograd(weight: Tensor, bias: Tensor?, shift: Tensor? = nil, residual: Tensor? = nil) -> Tensor {
        !Self.winogradSmallTiles && Winograd4x4Transforms.suits(channels: shape[1], width: shape[3])
            ? conv2dWinograd(
                weight: weight, bias: bias, shift: shift, residual: residual, tiles: Winograd4x4Transforms.self)
            : conv2dWinograd(
                weight: weight, bias: bias, shift: shift, residual: residual, tiles: Winograd2x2Transforms.self)
    }

    /// `conv2dWinograd` by the given transforms: the weight and input transforms, `T.elements` GEMMs
    /// per group of images, and the output transform. Agrees with the direct form to rounding (F(2x2):
    /// a few float ulps of the largest term; F(4x4): its fractions and larger coefficients lose about
    /// ten times more).
    func conv2dWinograd<T: WinogradTileTransforms>(
        weight: Tensor, bias: Tensor?, shift: Tensor? = nil, residual: Tensor? = nil, tiles kind: T.Type
    ) -> Tensor {
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let outChannels = weight.shape[0]
        precondition(shift == nil || shift!.shape == [batch, outChannels], "conv2dWinograd: shift \(shift!.shape)")
        precondition(
            residual == nil || residual!.shape == [batch, outChannels, height, width],
            "conv2dWinograd: residual \(residual!.shape)")
        let elements = T.elements
        let transforms = T(channels: channels, outChannels: outChannels, height: height, width: width)
        let tiles = transforms.tiles
        let u = TensorStorage(uninitializedCount: elements * outChannels * channels)
        transforms.transformWeights(weight.data, into: u.pointer)
        let split = ImageBatchSplit(
            batch: batch, flopsPerImage: 2.0 * Double(elements * outChannels * channels * tiles))
        let (inPlane, outPlane) = (channels * height * width, outChannels * height * width)
        let out = Tensor(
            shape: [batch, outChannels, height, width], storage: TensorStorage(uninitializedCount: batch * outPlane))
        split.run { _, images in
            transforms.forEachGroup(of: images, scratch: Swift.max(transforms.inputScratch, transforms.outputScratch)) {
                group, v, m, scratch in
                let (columns, ld) = (group.columns, group.rowStride)
                transforms.transformInput(
                    self.data + group.first * inPlane, count: group.count, into: v, columns: columns, scratch: scratch)
                for element in 0..<elements {
                    GEMM.multiply(
                        m: outChannels, n: columns, k: channels, a: u.pointer + element * outChannels * channels,
                        lda: channels, transA: false, b: v + element * channels * ld, ldb: ld,
                        transB: false, c: m + element * outChannels * ld, ldc: ld,
                        threads: split.gemmThreads)
                }
                let addends = WinogradOutputAddends(
                    shift: shift.map { UnsafePointer($0.data + group.first * outChannels) },
                    residual: residual.map { UnsafePointer($0.data + group.first * outPlane) })
                transforms.transformOutput(
                    m, columns: columns, count: group.count, bias: bias.map { UnsafePointer($0.data) },
                    addends: addends, into: out.data + group.first * outPlane, stage: scratch)
            }
        }
        return out
    }
}
