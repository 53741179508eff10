/// One of Winograd's minimal filtering algorithms F(m x m, 3x3) for a 3x3, stride-1, padding-1
/// cross-correlation (Lavin & Gray, CVPR 2016), as `conv2dWinograd` drives it: the weights, a group
/// of images and the products' results each transformed, with `elements` GEMMs between them.
///
/// Layouts: `U` is `[elements, outC, inC]`, `V` is `[elements, inC, columns]`, `M` is
/// `[elements, outC, columns]`, where a group's columns are its images' tiles, image after image, each
/// image's tiles row by row, `WinogradVectors.rowStride(columns:)` apart.
///
/// The weight gradient runs the algorithm backwards (`Tensor.winogradParameterGradients`): the output
/// gradient through the output transform's adjoint (`dM = A dY A^T`), `elements` GEMMs
/// `dU[ξ] += dM[ξ] V[ξ]^T`, and the weight transform's adjoint (`dW = G^T dU G`).
protocol WinogradTileTransforms: Sendable {
    /// The tile's input window has `(m + 2)^2` elements: the element-wise products per tile.
    static var elements: Int { get }
    init(channels: Int, outChannels: Int, height: Int, width: Int)
    /// Input and output channels.
    var channels: Int { get }
    var outChannels: Int { get }
    /// Tiles per image.
    var tiles: Int { get }
    /// Floats of scratch `transformInput` and `transformOutput` need.
    var inputScratch: Int { get }
    var outputScratch: Int { get }
    func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>)
    func transformInput(
        _ images: UnsafePointer<Float>, count: Int, into v: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>)
    /// The output planes of the `count` images from `M`: each tile's `A^T m A`, plus the bias, then
    /// `addends`' shift and residual, written into `output` (NCHW).
    func transformOutput(
        _ m: UnsafePointer<Float>, columns: Int, count: Int, bias: UnsafePointer<Float>?,
        addends: WinogradOutputAddends, into output: UnsafeMutablePointer<Float>, stage: UnsafeMutablePointer<Float>)
    /// Floats of scratch `transformOutputGradient` needs.
    var outputGradientScratch: Int { get }
    /// `dM[ξ][k][image * tiles + tile] = (A dy A^T)[ξ]` for the `count` images' output gradients from
    /// `gradient` (NCHW), where `dy` is the tile's block of the gradient, zero past the image's edge: the
    /// adjoint of `transformOutput`, laid out as `M`.
    func transformOutputGradient(
        _ gradient: UnsafePointer<Float>, count: Int, into dm: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>)
    /// `dW[k][c] = G^T dU[ξ][k][c] G` for `dU` laid out as `U`, into the weight's `[outC, inC, 3, 3]`: the
    /// adjoint of `transformWeights`, in double precision.
    func transformWeightGradient(_ du: UnsafePointer<Float>, into weight: UnsafeMutablePointer<Float>)
}

/// What the output transform adds to each output pixel after the bias, each as an addition of its own
/// in this order, so that the result is bitwise that of `Tensor.shiftedPerChannel` and then `+` applied
/// to the convolution's output: the U-Net block's time shift and residual connection, added as each
/// output row is written instead of in two more passes over the whole feature map.
struct WinogradOutputAddends {
    /// `[images, outC]`, from the group's first image: one value per image and output channel.
    var shift: UnsafePointer<Float>?
    /// NCHW like the output, from the group's first image.
    var residual: UnsafePointer<Float>?

    /// The shift of image `image`'s channel `k`, or -0, which adds nothing to any value (-0 + -0 is -0).
    @inline(__always)
    func shift(image: Int, channel k: Int, channels: Int) -> WinogradVectors.Lanes {
        WinogradVectors.Lanes(repeating: shift?[image * channels + k] ?? -0.0)
    }
}

/// A group of consecutive images whose tiles sit side by side in `V` and `M`.
struct WinogradGroup {
    /// The group's first image in the batch and its number of images.
    let first: Int
    let count: Int
    /// Its tiles, and the row length of `V` and `M` for them (`WinogradVectors.rowStride`).
    let columns: Int
    let rowStride: Int
}

extension WinogradTileTransforms {
    /// Runs `body` on each group of `images` (consecutive images, about `Tensor.winogradColumns` tiles),
    /// in order, with buffers allocated once for them all: `v` `[elements, inC, rowStride]`, `m`
    /// `[elements, outC, rowStride]` and `scratch` floats of scratch (`conv2dWinograd` and
    /// `winogradParameterGradients` run a piece of the batch so).
    func forEachGroup(
        of images: Range<Int>, scratch: Int,
        _ body: (
            _ group: WinogradGroup, _ v: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
            _ scratch: UnsafeMutablePointer<Float>
        ) -> Void
    ) {
        guard !images.isEmpty else { return }
        let size = min(max(1, Tensor.winogradColumns / tiles), images.count)
        let rowLength = WinogradVectors.rowStride(columns: size * tiles)
        let v = TensorStorage(uninitializedCount: Self.elements * channels * rowLength)
        let m = TensorStorage(uninitializedCount: Self.elements * outChannels * rowLength)
        let scratchStorage = TensorStorage(uninitializedCount: scratch)
        for first in stride(from: images.lowerBound, to: images.upperBound, by: size) {
            let count = min(size, images.upperBound - first)
            let group = WinogradGroup(
                first: first, count: count, columns: count * tiles,
                rowStride: WinogradVectors.rowStride(columns: count * tiles))
            body(group, v.pointer, m.pointer, scratchStorage.pointer)
        }
    }
}
