/// Patch extraction for convolution. (Interim plain version; the multithreaded kernel replaces it.)
public enum Im2Col {
    public static func outputSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        (size + 2 * padding - kernel) / stride + 1
    }

    public static func im2col(
        input: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int, columns: UnsafeMutablePointer<Float>
    ) {
        let oh = outputSize(height, kernel: kernelHeight, stride: stride, padding: padding)
        let ow = outputSize(width, kernel: kernelWidth, stride: stride, padding: padding)
        let cols = channels * kernelHeight * kernelWidth
        for b in 0..<batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let row = columns + ((b * oh + oy) * ow + ox) * cols
                    var j = 0
                    for c in 0..<channels {
                        for ky in 0..<kernelHeight {
                            for kx in 0..<kernelWidth {
                                let y = oy * stride - padding + ky
                                let x = ox * stride - padding + kx
                                row[j] = (y >= 0 && y < height && x >= 0 && x < width)
                                    ? input[((b * channels + c) * height + y) * width + x] : 0
                                j += 1
                            }
                        }
                    }
                }
            }
        }
    }

    public static func col2im(
        columns: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int, gradInput: UnsafeMutablePointer<Float>
    ) {
        let oh = outputSize(height, kernel: kernelHeight, stride: stride, padding: padding)
        let ow = outputSize(width, kernel: kernelWidth, stride: stride, padding: padding)
        let cols = channels * kernelHeight * kernelWidth
        for b in 0..<batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let row = columns + ((b * oh + oy) * ow + ox) * cols
                    var j = 0
                    for c in 0..<channels {
                        for ky in 0..<kernelHeight {
                            for kx in 0..<kernelWidth {
                                let y = oy * stride - padding + ky
                                let x = ox * stride - padding + kx
                                if y >= 0 && y < height && x >= 0 && x < width {
                                    gradInput[((b * channels + c) * height + y) * width + x] += row[j]
                                }
                                j += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
