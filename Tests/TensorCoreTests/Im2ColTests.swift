import Testing

@testable import TensorCore

/// im2col against a direct convolution, its fold as the exact adjoint, and the geometry's edges.
@Suite struct Im2ColTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, channels, height, width, kernelHeight, kernelWidth, stride, padding: Int
        var testDescription: String {
            "b\(batch) c\(channels) \(height)x\(width) k\(kernelHeight)x\(kernelWidth) s\(stride) p\(padding)"
        }
        var outHeight: Int { geometry.outHeight }
        var outWidth: Int { geometry.outWidth }
        var inputCount: Int { batch * geometry.imageSize }
        var rowLength: Int { geometry.patch }
        var columnCount: Int { batch * geometry.columnCount }

        var geometry: Im2Col {
            Im2Col(
                channels: channels, height: height, width: width, kernelHeight: kernelHeight,
                kernelWidth: kernelWidth, stride: stride, padding: padding)
        }

        /// Every image's columns, one after the other.
        func im2col(_ x: [Float]) -> [Float] {
            let g = geometry
            var columns = [Float](repeating: .nan, count: columnCount)
            x.withUnsafeBufferPointer { x in
                columns.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch {
                        g.unfold(image: x.baseAddress! + b * g.imageSize, columns: out.baseAddress! + b * g.columnCount)
                    }
                }
            }
            return columns
        }

        func col2im(_ y: [Float]) -> [Float] {
            let g = geometry
            var grad = [Float](repeating: 0, count: inputCount)
            var y = y  // fold uses its columns as scratch
            y.withUnsafeMutableBufferPointer { y in
                grad.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch {
                        g.fold(columns: y.baseAddress! + b * g.columnCount, image: out.baseAddress! + b * g.imageSize)
                    }
                }
            }
            return grad
        }
    }

    static let cases: [Case] = [
        Case(
            batch: 2, channels: 3, height: 7, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 1,
            padding: 1),
        Case(
            batch: 1, channels: 2, height: 9, width: 9, kernelHeight: 3, kernelWidth: 2, stride: 2,
            padding: 0),
        Case(
            batch: 3, channels: 1, height: 8, width: 5, kernelHeight: 5, kernelWidth: 5, stride: 2,
            padding: 2),
        Case(
            batch: 1, channels: 4, height: 4, width: 4, kernelHeight: 1, kernelWidth: 1, stride: 1,
            padding: 0),
        Case(
            batch: 2, channels: 2, height: 5, width: 7, kernelHeight: 4, kernelWidth: 3, stride: 3,
            padding: 1),
        Case(
            batch: 1, channels: 2, height: 6, width: 6, kernelHeight: 1, kernelWidth: 1, stride: 1,
            padding: 0),
        // Padding wider than the kernel reach: whole rows and columns of zeros.
        Case(
            batch: 1, channels: 1, height: 3, width: 4, kernelHeight: 2, kernelWidth: 2, stride: 3,
            padding: 3),
        Case(
            batch: 8, channels: 3, height: 28, width: 28, kernelHeight: 3, kernelWidth: 3, stride: 1,
            padding: 1),
        // Wong et al.'s second convolution, and a stride-1 kernel without padding (narrower output).
        Case(
            batch: 3, channels: 4, height: 14, width: 14, kernelHeight: 4, kernelWidth: 4, stride: 2,
            padding: 1),
        Case(
            batch: 2, channels: 2, height: 9, width: 8, kernelHeight: 5, kernelWidth: 5, stride: 1,
            padding: 0),
        // A stride-1 "same" kernel taller than the image: its first offset reaches no input at all.
        Case(
            batch: 2, channels: 2, height: 2, width: 5, kernelHeight: 5, kernelWidth: 5, stride: 1,
            padding: 2),
    ]

    /// Direct convolution vs im2col followed by W x columns, image by image.
    @Test(arguments: cases) func matchesDirectConvolution(_ t: Case) {
        var rng = RandomGenerator(seed: 3)
        let outChannels = 5
        let x = (0..<t.inputCount).map { _ in rng.uniform(-1, 1) }
        let w = (0..<outChannels * t.rowLength).map { _ in rng.uniform(-1, 1) }
        let columns = t.im2col(x)
        let positions = t.outHeight * t.outWidth
        var y = [Float](repeating: 0, count: t.batch * outChannels * positions)
        columns.withUnsafeBufferPointer { cols in
            w.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { y in
                    for b in 0..<t.batch {
                        GEMM.multiply(
                            m: outChannels, n: positions, k: t.rowLength, a: w.baseAddress!, lda: t.rowLength,
                            transA: false, b: cols.baseAddress! + b * t.rowLength * positions, ldb: positions,
                            transB: false, c: y.baseAddress! + b * outChannels * positions, ldc: positions)
                    }
                }
            }
        }
        var worst: Float = 0
        for b in 0..<t.batch {
            for o in 0..<outChannels {
                for oy in 0..<t.outHeight {
                    for ox in 0..<t.outWidth {
                        var sum: Float = 0
                        for c in 0..<t.channels {
                            for ky in 0..<t.kernelHeight {
                                for kx in 0..<t.kernelWidth {
                                    let iy = oy * t.stride - t.padding + ky
                                    let ix = ox * t.stride - t.padding + kx
                                    guard iy >= 0, iy < t.height, ix >= 0, ix < t.width else { continue }
                                    sum +=
                                        x[((b * t.channels + c) * t.height + iy) * t.width + ix]
                                        * w[o * t.rowLength + (c * t.kernelHeight + ky) * t.kernelWidth + kx]
                                }
                            }
                        }
                        let index = ((b * outChannels + o) * t.outHeight + oy) * t.outWidth + ox
                        worst = max(worst, abs(sum - y[index]))
                    }
                }
            }
        }
        #expect(worst < 1e-4)
    }

    /// <im2col(x), y> == <x, col2im(y)> for random x and y.
    @Test(arguments: cases) func col2imIsTheAdjoint(_ t: Case) {
        var rng = RandomGenerator(seed: 4)
        let x = (0..<t.inputCount).map { _ in rng.uniform(-1, 1) }
        let y = (0..<t.columnCount).map { _ in rng.uniform(-1, 1) }
        let left = zip(t.im2col(x), y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x, t.col2im(y)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) <= 1e-9 * Double(t.columnCount) + 1e-6)
    }

    /// The images' columns side by side in one `[patch, batch * positions]` matrix (rows
    /// `batch * positions` apart) hold exactly each image's own columns, and fold back to exactly
    /// each image's gradient.
    @Test(arguments: cases) func sideBySideColumnsMatchOneImageEach(_ t: Case) {
        var rng = RandomGenerator(seed: 5)
        let g = t.geometry
        let x = (0..<t.inputCount).map { _ in rng.uniform(-1, 1) }
        let y = (0..<t.columnCount).map { _ in rng.uniform(-1, 1) }
        let width = t.batch * g.positions
        var wide = [Float](repeating: .nan, count: g.patch * width)
        x.withUnsafeBufferPointer { x in
            wide.withUnsafeMutableBufferPointer { out in
                g.unfold(images: x.baseAddress!, count: t.batch, columns: out.baseAddress!)
            }
        }
        let compact = t.im2col(x)
        var wideY = [Float](repeating: 0, count: g.patch * width)
        var mismatches = 0
        for b in 0..<t.batch {
            for row in 0..<g.patch {
                for p in 0..<g.positions {
                    let compactIndex = b * g.columnCount + row * g.positions + p
                    if wide[row * width + b * g.positions + p] != compact[compactIndex] { mismatches += 1 }
                    wideY[row * width + b * g.positions + p] = y[compactIndex]
                }
            }
        }
        #expect(mismatches == 0)
        var grad = [Float](repeating: 0, count: t.inputCount)
        wideY.withUnsafeMutableBufferPointer { cols in
            grad.withUnsafeMutableBufferPointer { out in
                g.fold(columns: cols.baseAddress!, count: t.batch, images: out.baseAddress!)
            }
        }
        #expect(grad == t.col2im(y))
    }

    /// Folding over images full of NaN with `overwriting` gives what zeroing them and folding gives,
    /// one image at a time and side by side.
    @Test(arguments: cases) func overwritingFoldIgnoresTheOldContents(_ t: Case) {
        var rng = RandomGenerator(seed: 6)
        let g = t.geometry
        let y = (0..<t.columnCount).map { _ in rng.uniform(-1, 1) }
        let expected = t.col2im(y)
        var single = [Float](repeating: .nan, count: t.inputCount)
        var columns = y
        columns.withUnsafeMutableBufferPointer { cols in
            single.withUnsafeMutableBufferPointer { out in
                for b in 0..<t.batch {
                    g.fold(
                        columns: cols.baseAddress! + b * g.columnCount, image: out.baseAddress! + b * g.imageSize,
                        overwriting: true)
                }
            }
        }
        #expect(single == expected)
        // Side by side: image b's columns start b * positions into each row.
        let width = t.batch * g.positions
        var wide = [Float](repeating: 0, count: g.patch * width)
        for b in 0..<t.batch {
            for row in 0..<g.patch {
                for p in 0..<g.positions {
                    wide[row * width + b * g.positions + p] = y[b * g.columnCount + row * g.positions + p]
                }
            }
        }
        var grouped = [Float](repeating: .nan, count: t.inputCount)
        wide.withUnsafeMutableBufferPointer { cols in
            grouped.withUnsafeMutableBufferPointer { out in
                g.fold(columns: cols.baseAddress!, count: t.batch, images: out.baseAddress!, overwriting: true)
            }
        }
        #expect(grouped == expected)
    }

    @Test func outputSizes() {
        #expect(Im2Col.outputSize(28, kernel: 3, stride: 1, padding: 1) == 28)
        #expect(Im2Col.outputSize(28, kernel: 4, stride: 2, padding: 1) == 14)
        #expect(Im2Col.outputSize(7, kernel: 3, stride: 2, padding: 0) == 3)
    }
}
