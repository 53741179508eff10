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
    /// Tiles per image.
    var tiles: Int { get }
    /// Floats of scratch `transformInput` and `transformOutput` need.
    var inputScratch: Int { get }
    var outputScratch: Int { get }
    func transformWeights(_ weight: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>)
    func transformInput(
        _ images: UnsafePointer<Float>, count: Int, into v: UnsafeMutablePointer<Float>, columns: Int,
        scratch: UnsafeMutablePointer<Float>)
    func transformOutput(
        _ m: UnsafePointer<Float>, columns: Int, count: Int, bias: UnsafePointer<Float>?,
        into output: UnsafeMutablePointer<Float>, stage: UnsafeMutablePointer<Float>)
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
