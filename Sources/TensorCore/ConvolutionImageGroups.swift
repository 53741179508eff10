import Foundation

/// Consecutive images of a convolution whose im2col matrices sit side by side in one
/// `[patch, count * positions]` matrix, so that one GEMM covers the whole group.
///
/// A small output plane makes a narrow per-image GEMM: a 7x7 output is 49 columns, one 48-wide
/// tile and a 1-column remainder, and every call packs the weights again. Grouping images until
/// the matrix is about `targetColumns` wide keeps the GEMM on full tiles; the group's im2col matrix
/// is capped at `columnBytes` so that it stays in the core's L2 cache between its unfolding, its
/// multiply and its folding. Large planes (28x28 = 784 columns) and 1x1 kernels, whose columns are
/// the image itself, keep one image per group, which is the per-image GEMM unchanged.
/// `MANIFOLD_CONV_GROUPS=off` keeps one image per group everywhere, to compare.
struct ConvolutionImageGroups: Sendable {
    /// Images per group (the last group of a range may have fewer).
    let size: Int

    static let targetColumns = 512
    static let columnBytes = 1 << 19

    /// False when the environment says `MANIFOLD_CONV_GROUPS=off`.
    static let enabled = ProcessInfo.processInfo.environment["MANIFOLD_CONV_GROUPS"] != "off"

    init(geometry: Im2Col) {
        if !Self.enabled || geometry.isIdentity || geometry.positions >= Self.targetColumns {
            size = 1
        } else {
            let byWidth = (Self.targetColumns + geometry.positions - 1) / geometry.positions
            let byMemory = Self.columnBytes / max(1, geometry.columnCount * MemoryLayout<Float>.stride)
            size = max(1, min(byWidth, byMemory))
        }
    }

    /// Scratch for one group's side-by-side im2col matrix; nil for a 1x1 kernel, whose columns are
    /// the images themselves.
    func columnScratch(_ geometry: Im2Col) -> TensorStorage? {
        geometry.isIdentity ? nil : TensorStorage(uninitializedCount: size * geometry.columnCount)
    }

    /// Scratch for one group's `[rows, size * positions]` output or gradient matrix; nil when the
    /// groups are single images, whose NCHW planes are that matrix already.
    func staging(planeSize: Int) -> TensorStorage? {
        size > 1 ? TensorStorage(uninitializedCount: size * planeSize) : nil
    }

    /// `images` cut into consecutive groups of at most `size`.
    func groups(of images: Range<Int>) -> [Range<Int>] {
        stride(from: images.lowerBound, to: images.upperBound, by: size).map {
            $0..<min($0 + size, images.upperBound)
        }
    }

    /// Copies `count` consecutive `[rows, positions]` planes (each `rows * positions` floats after
    /// the last) into one `[rows, count * positions]` matrix.
    static func gather(
        planes: UnsafePointer<Float>, count: Int, rows: Int, positions: Int, into matrix: UnsafeMutablePointer<Float>
    ) {
        forEachRow(count: count, rows: rows, positions: positions) { plane, wide in
            ElementwiseKernels.copy(planes + plane, to: matrix + wide, count: positions)
        }
    }

    /// The inverse of `gather`: one `[rows, count * positions]` matrix back into `count`
    /// consecutive `[rows, positions]` planes.
    static func scatter(
        matrix: UnsafePointer<Float>, count: Int, rows: Int, positions: Int, into planes: UnsafeMutablePointer<Float>
    ) {
        forEachRow(count: count, rows: rows, positions: positions) { plane, wide in
            ElementwiseKernels.copy(matrix + wide, to: planes + plane, count: positions)
        }
    }

    /// Calls `body(plane, wide)` with where each image's row starts among the planes and in the
    /// side-by-side matrix.
    @inline(__always)
    private static func forEachRow(count: Int, rows: Int, positions: Int, _ body: (Int, Int) -> Void) {
        for image in 0..<count {
            for row in 0..<rows {
                body((image * rows + row) * positions, row * count * positions + image * positions)
            }
        }
    }
}
