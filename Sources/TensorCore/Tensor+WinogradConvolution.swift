import Foundation

/// A 3x3, stride-1, padding-1 convolution's forward pass by Winograd's minimal filtering F(2x2, 3x3)
/// (Lavin & Gray, CVPR 2016): 2.25 times fewer multiplications than `conv2d`'s im2col GEMM, for
/// inference (sampling, purification) and for the forward pass of training (the U-Net's).
extension Tensor {
    /// False when the environment says `MANIFOLD_WINOGRAD=off`: every convolution then runs as
    /// `conv2d`'s im2col GEMM, to compare.
    static let winogradEnabled = ProcessInfo.processInfo.environment["MANIFOLD_WINOGRAD"] != "off"

    /// Images' tiles side by side in one group's matrices: about this many columns per GEMM.
    static let winogradColumns = 256

    /// Whether `conv2d(..., allowWinograd: true)` computes its forward pass by Winograd: a 3x3 kernel
    /// with stride 1 and padding 1 (same-size output). A recorded result's backward pass is the direct
    /// form's either way.
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
    /// F(2x2, 3x3): the input and weight transforms of `WinogradTransforms`, 16 GEMMs per group of
    /// images, and the output transform. Forward only: it records no gradient (`conv2d` records the
    /// direct form's backward pass for it). Agrees with the direct form to rounding (a few float ulps of
    /// the largest term).
    func conv2dWinograd(weight: Tensor, bias: Tensor?) -> Tensor {
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let outChannels = weight.shape[0]
        let transforms = WinogradTransforms(
            channels: channels, outChannels: outChannels, height: height, width: width)
        let tiles = transforms.tiles
        let u = TensorStorage(uninitializedCount: 16 * outChannels * channels)
        transforms.transformWeights(weight.data, into: u.pointer)
        let split = ImageBatchSplit(batch: batch, flopsPerImage: 32.0 * Double(outChannels * channels * tiles))
        let groupSize = Swift.max(1, Self.winogradColumns / tiles)
        let (inPlane, outPlane) = (channels * height * width, outChannels * height * width)
        let out = Tensor(
            shape: [batch, outChannels, height, width], storage: TensorStorage(uninitializedCount: batch * outPlane))
        split.run { _, images in
            guard !images.isEmpty else { return }
            let size = min(groupSize, images.count)
            let rowLength = WinogradTransforms.rowStride(columns: size * tiles)
            let v = TensorStorage(uninitializedCount: 16 * channels * rowLength)
            let m = TensorStorage(uninitializedCount: 16 * outChannels * rowLength)
            let scratch = TensorStorage(
                uninitializedCount: Swift.max(transforms.inputScratch, transforms.outputScratch))
            for first in stride(from: images.lowerBound, to: images.upperBound, by: size) {
                let count = min(size, images.upperBound - first)
                let columns = count * tiles
                let ld = WinogradTransforms.rowStride(columns: columns)
                transforms.transformInput(
                    self.data + first * inPlane, count: count, into: v.pointer, columns: columns,
                    scratch: scratch.pointer)
                for element in 0..<16 {
                    GEMM.multiply(
                        m: outChannels, n: columns, k: channels, a: u.pointer + element * outChannels * channels,
                        lda: channels, transA: false, b: v.pointer + element * channels * ld, ldb: ld,
                        transB: false, c: m.pointer + element * outChannels * ld, ldc: ld,
                        threads: split.gemmThreads)
                }
                transforms.transformOutput(
                    m.pointer, columns: columns, count: count, bias: bias.map { UnsafePointer($0.data) },
                    into: out.data + first * outPlane, stage: scratch.pointer)
            }
        }
        return out
    }
}
