import Dispatch

/// Unrolls convolution windows into rows of a matrix, so a 2-D convolution becomes one GEMM
/// (Chellapilla, Puri and Simard, "High Performance Convolutional Neural Networks for Document
/// Processing", 2006).
///
/// `columns` is `[batch * outH * outW, channels * kernelHeight * kernelWidth]`: row `(b, oy, ox)`
/// holds the input window of output position `(oy, ox)` of image `b`, column `(c, ky, kx)` its
/// element `input[b, c, oy * stride - padding + ky, ox * stride - padding + kx]` (zero outside
/// the image). A convolution with weights `W[outC, channels * kh * kw]` is then
/// `columns x W^T -> [batch * outH * outW, outC]`.
public enum Im2Col {
    /// Input NCHW `[batch, channels, height, width]` -> `columns` as described on the type.
    public static func im2col(
        input: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int,
        columns: UnsafeMutablePointer<Float>
    ) {
        let shape = Shape(
            channels: channels, height: height, width: width, kernelHeight: kernelHeight,
            kernelWidth: kernelWidth, stride: stride, padding: padding)
        let pointers = Pointers(
            image: UnsafeMutablePointer(mutating: input), columns: UnsafeMutablePointer(columns))
        forEachImage(batch: batch, elements: batch * shape.imageColumns) { b in
            shape.unfold(
                image: pointers.image + b * shape.imageSize,
                columns: pointers.columns + b * shape.imageColumns)
        }
    }

    /// The adjoint of `im2col`: accumulates (`+=`) `columns` back into `gradInput` (NCHW).
    /// The caller zeroes `gradInput` first.
    public static func col2im(
        columns: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int,
        gradInput: UnsafeMutablePointer<Float>
    ) {
        let shape = Shape(
            channels: channels, height: height, width: width, kernelHeight: kernelHeight,
            kernelWidth: kernelWidth, stride: stride, padding: padding)
        let pointers = Pointers(image: gradInput, columns: UnsafeMutablePointer(mutating: columns))
        forEachImage(batch: batch, elements: batch * shape.imageColumns) { b in
            shape.fold(
                columns: pointers.columns + b * shape.imageColumns,
                image: pointers.image + b * shape.imageSize)
        }
    }

    /// Output extent of a convolution: `(size + 2 * padding - kernel) / stride + 1`.
    public static func outputSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        precondition(
            stride > 0 && kernel > 0 && padding >= 0, "Im2Col: invalid kernel, stride or padding")
        return (size + 2 * padding - kernel) / stride + 1
    }

    /// Runs `body` for every image, spread over threads when there is enough to copy.
    static func forEachImage(batch: Int, elements: Int, _ body: @Sendable (Int) -> Void) {
        let threads = min(ComputeThreads.count, batch)
        if threads <= 1 || elements < 1 << 16 {
            for b in 0..<batch { body(b) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            for b in GEMM.split(units: batch, parts: threads, index: part) { body(b) }
        }
    }

    /// Pointers shared by the threads of one call; each thread touches only its own images.
    struct Pointers: @unchecked Sendable {
        let image: UnsafeMutablePointer<Float>
        let columns: UnsafeMutablePointer<Float>
    }

    /// The geometry of one image's unfolding.
    struct Shape: Sendable {
        let channels: Int, height: Int, width: Int
        let kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int
        let outHeight: Int, outWidth: Int

        init(
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

        var imageSize: Int { channels * height * width }
        var rowLength: Int { channels * kernelHeight * kernelWidth }
        var imageColumns: Int { max(0, outHeight * outWidth) * rowLength }

        /// The kernel columns `kx` whose input column `x0 + kx` lies inside the image.
        @inline(__always)
        func validColumns(x0: Int) -> Range<Int> {
            max(0, -x0)..<max(max(0, -x0), min(kernelWidth, width - x0))
        }

        func unfold(image: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>) {
            var row = columns
            for oy in 0..<outHeight {
                let y0 = oy * stride - padding
                for ox in 0..<outWidth {
                    let x0 = ox * stride - padding
                    if y0 >= 0 && y0 + kernelHeight <= height && x0 >= 0 && x0 + kernelWidth <= width {
                        copyInteriorWindow(from: image + y0 * width + x0, x0: x0, to: row)
                        row += rowLength
                        continue
                    }
                    // A window over the border: zero the row, then copy the part inside the image.
                    row.update(repeating: 0, count: rowLength)
                    let valid = validColumns(x0: x0)
                    let validRows = max(0, -y0)..<max(max(0, -y0), min(kernelHeight, height - y0))
                    if !valid.isEmpty {
                        for c in 0..<channels {
                            let plane = image + c * height * width
                            for ky in validRows {
                                let src = plane + (y0 + ky) * width + x0
                                let out = row + (c * kernelHeight + ky) * kernelWidth
                                for kx in valid { out[kx] = src[kx] }
                            }
                        }
                    }
                    row += rowLength
                }
            }
        }

        /// Copies a window that lies wholly inside the image (no bounds checks). Windows up to 4
        /// wide whose 4th input column is still inside the row copy each kernel row as one
        /// SIMD4, the next store overwriting the extra element; the window's last row is copied
        /// exactly so that nothing past `row` is written.
        @inline(__always)
        func copyInteriorWindow(from window: UnsafeMutablePointer<Float>, x0: Int, to row: UnsafeMutablePointer<Float>)
        {
            let planeSize = height * width
            var src = window
            var out = row
            let segments = channels * kernelHeight
            if kernelWidth <= 4 && x0 + 4 <= width {
                var line = src
                var ky = 0
                for _ in 0..<segments - 1 {
                    UnsafeMutableRawPointer(out).storeBytes(
                        of: UnsafeRawPointer(line).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                    out += kernelWidth
                    ky += 1
                    if ky == kernelHeight {
                        ky = 0
                        src += planeSize
                        line = src
                    } else {
                        line += width
                    }
                }
                for kx in 0..<kernelWidth { out[kx] = line[kx] }
                return
            }
            for _ in 0..<channels {
                var line = src
                for _ in 0..<kernelHeight {
                    for kx in 0..<kernelWidth { out[kx] = line[kx] }
                    out += kernelWidth
                    line += width
                }
                src += planeSize
            }
        }

        /// Accumulates a window that lies wholly inside the image (no bounds checks).
        @inline(__always)
        func addInteriorWindow(from row: UnsafeMutablePointer<Float>, to window: UnsafeMutablePointer<Float>) {
            let planeSize = height * width
            var dst = window
            var src = row
            for _ in 0..<channels {
                var line = dst
                for _ in 0..<kernelHeight {
                    for kx in 0..<kernelWidth { line[kx] += src[kx] }
                    src += kernelWidth
                    line += width
                }
                dst += planeSize
            }
        }

        func fold(columns: UnsafeMutablePointer<Float>, image: UnsafeMutablePointer<Float>) {
            var row = columns
            for oy in 0..<outHeight {
                let y0 = oy * stride - padding
                for ox in 0..<outWidth {
                    let x0 = ox * stride - padding
                    if y0 >= 0 && y0 + kernelHeight <= height && x0 >= 0 && x0 + kernelWidth <= width {
                        addInteriorWindow(from: row, to: image + y0 * width + x0)
                        row += rowLength
                        continue
                    }
                    let valid = validColumns(x0: x0)
                    var src = row
                    for c in 0..<channels {
                        let plane = image + c * height * width
                        for ky in 0..<kernelHeight {
                            let y = y0 + ky
                            if y >= 0 && y < height {
                                let dst = plane + y * width + x0
                                for kx in valid { dst[kx] += src[kx] }
                            }
                            src += kernelWidth
                        }
                    }
                    row += rowLength
                }
            }
        }
    }
}
