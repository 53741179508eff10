/// Differentiable 2-D convolution (im2col + GEMM), transposed convolution, max pooling and
/// nearest-neighbour upsampling on NCHW tensors.
extension Tensor {
    /// Cross-correlation as in PyTorch's `Conv2d`.
    /// - Parameters: self [batch, inC, H, W]; weight [outC, inC, kh, kw]; bias [outC].
    /// - Returns: [batch, outC, outH, outW].
    public func conv2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(rank == 4 && weight.rank == 4, "conv2d needs NCHW input and [out,in,kh,kw] weight")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let (outChannels, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        precondition(weight.shape[1] == channels, "conv2d: input has \(channels) channels, weight expects \(weight.shape[1])")
        precondition(stride >= 1 && padding >= 0, "conv2d: stride must be >= 1 and padding >= 0")
        let oh = Im2Col.outputSize(height, kernel: kh, stride: stride, padding: padding)
        let ow = Im2Col.outputSize(width, kernel: kw, stride: stride, padding: padding)
        precondition(oh > 0 && ow > 0, "conv2d: kernel larger than the padded input")
        let positions = batch * oh * ow
        let patch = channels * kh * kw
        let columns = TensorStorage(uninitializedCount: positions * patch)
        Im2Col.im2col(
            input: data, batch: batch, channels: channels, height: height, width: width,
            kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding, columns: columns.pointer)
        // [positions, patch] x [outC, patch]^T -> [positions, outC] (NHWC), then to NCHW.
        let nhwc = TensorStorage(uninitializedCount: positions * outChannels)
        GEMM.multiply(
            m: positions, n: outChannels, k: patch, a: columns.pointer, lda: patch, transA: false,
            b: weight.data, ldb: patch, transB: true, c: nhwc.pointer, ldc: outChannels)
        let out = Tensor(shape: [batch, outChannels, oh, ow], storage: TensorStorage(uninitializedCount: positions * outChannels))
        Tensor.permute(source: nhwc.pointer, shape: [batch, oh * ow, outChannels], order: [0, 2, 1], destination: out.data)
        if let bias { Tensor.addChannelBias(bias, to: out) }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(out, inputs: inputs) { [self] g, _ in
            // Gradient in NHWC layout: [positions, outC].
            let gradRows = TensorStorage(uninitializedCount: positions * outChannels)
            Tensor.permute(source: g.data, shape: [batch, outChannels, oh * ow], order: [0, 2, 1], destination: gradRows.pointer)
            var grads: [Tensor?] = []
            if self.requiresGrad {
                let gradColumns = TensorStorage(uninitializedCount: positions * patch)
                GEMM.multiply(
                    m: positions, n: patch, k: outChannels, a: gradRows.pointer, lda: outChannels, transA: false,
                    b: weight.data, ldb: patch, transB: false, c: gradColumns.pointer, ldc: patch)
                let gradInput = Tensor(zeros: self.shape)
                Im2Col.col2im(
                    columns: gradColumns.pointer, batch: batch, channels: channels, height: height, width: width,
                    kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding, gradInput: gradInput.data)
                grads.append(gradInput)
            } else {
                grads.append(nil)
            }
            if weight.requiresGrad {
                let gradWeight = Tensor(shape: weight.shape, storage: TensorStorage(uninitializedCount: weight.count))
                GEMM.multiply(
                    m: outChannels, n: patch, k: positions, a: gradRows.pointer, lda: outChannels, transA: true,
                    b: columns.pointer, ldb: patch, transB: false, c: gradWeight.data, ldc: patch)
                grads.append(gradWeight)
            } else {
                grads.append(nil)
            }
            if let bias {
                let gradBias = Tensor(zeros: bias.shape)
                let r = gradRows.pointer
                for p in 0..<positions {
                    for c in 0..<outChannels { gradBias.data[c] += r[p * outChannels + c] }
                }
                grads.append(gradBias)
            }
            return grads
        }
    }

    /// Transposed convolution as in PyTorch's `ConvTranspose2d` (the adjoint of `conv2d`).
    /// - Parameters: self [batch, inC, H, W]; weight [inC, outC, kh, kw]; bias [outC].
    /// - Returns: [batch, outC, (H-1)*stride - 2*padding + kh, ...].
    public func convTranspose2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(rank == 4 && weight.rank == 4, "convTranspose2d needs NCHW input and [in,out,kh,kw] weight")
        let (batch, inChannels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let (outChannels, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(weight.shape[0] == inChannels, "convTranspose2d: input has \(inChannels) channels, weight expects \(weight.shape[0])")
        let oh = (height - 1) * stride - 2 * padding + kh
        let ow = (width - 1) * stride - 2 * padding + kw
        precondition(oh > 0 && ow > 0, "convTranspose2d: empty output")
        // Input positions as rows: [batch*H*W, inC] x [inC, outC*kh*kw] -> columns, then col2im.
        let positions = batch * height * width
        let patch = outChannels * kh * kw
        let rowsStorage = TensorStorage(uninitializedCount: positions * inChannels)
        Tensor.permute(source: data, shape: [batch, inChannels, height * width], order: [0, 2, 1], destination: rowsStorage.pointer)
        let columns = TensorStorage(uninitializedCount: positions * patch)
        GEMM.multiply(
            m: positions, n: patch, k: inChannels, a: rowsStorage.pointer, lda: inChannels, transA: false,
            b: weight.data, ldb: patch, transB: false, c: columns.pointer, ldc: patch)
        let out = Tensor(zeros: [batch, outChannels, oh, ow])
        Im2Col.col2im(
            columns: columns.pointer, batch: batch, channels: outChannels, height: oh, width: ow,
            kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding, gradInput: out.data)
        if let bias { Tensor.addChannelBias(bias, to: out) }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(out, inputs: inputs) { [self] g, _ in
            let gradColumns = TensorStorage(uninitializedCount: positions * patch)
            Im2Col.im2col(
                input: g.data, batch: batch, channels: outChannels, height: oh, width: ow,
                kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding, columns: gradColumns.pointer)
            var grads: [Tensor?] = []
            if self.requiresGrad {
                let gradRows = TensorStorage(uninitializedCount: positions * inChannels)
                GEMM.multiply(
                    m: positions, n: inChannels, k: patch, a: gradColumns.pointer, lda: patch, transA: false,
                    b: weight.data, ldb: patch, transB: true, c: gradRows.pointer, ldc: inChannels)
                let gradInput = Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count))
                Tensor.permute(source: gradRows.pointer, shape: [batch, height * width, inChannels], order: [0, 2, 1], destination: gradInput.data)
                grads.append(gradInput)
            } else {
                grads.append(nil)
            }
            if weight.requiresGrad {
                let gradWeight = Tensor(shape: weight.shape, storage: TensorStorage(uninitializedCount: weight.count))
                GEMM.multiply(
                    m: inChannels, n: patch, k: positions, a: rowsStorage.pointer, lda: inChannels, transA: true,
                    b: gradColumns.pointer, ldb: patch, transB: false, c: gradWeight.data, ldc: patch)
                grads.append(gradWeight)
            } else {
                grads.append(nil)
            }
            if let bias {
                let gradBias = Tensor(zeros: bias.shape)
                let plane = oh * ow
                for b in 0..<batch {
                    for c in 0..<outChannels {
                        let base = g.data + (b * outChannels + c) * plane
                        var s: Float = 0
                        for i in 0..<plane { s += base[i] }
                        gradBias.data[c] += s
                    }
                }
                grads.append(gradBias)
            }
            return grads
        }
    }

    /// Max pooling with a square window (PyTorch's `MaxPool2d(kernel, stride)`, no padding).
    public func maxPool2d(kernel: Int, stride: Int? = nil) -> Tensor {
        precondition(rank == 4, "maxPool2d needs NCHW input")
        let step = stride ?? kernel
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let oh = (height - kernel) / step + 1
        let ow = (width - kernel) / step + 1
        precondition(oh > 0 && ow > 0, "maxPool2d: window larger than the input")
        let out = Tensor(shape: [batch, channels, oh, ow], storage: TensorStorage(uninitializedCount: batch * channels * oh * ow))
        var winners = [Int32](repeating: 0, count: out.count)
        let p = data
        let q = out.data
        for plane in 0..<(batch * channels) {
            let src = p + plane * height * width
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Float.infinity
                    var bestIndex = (oy * step) * width + ox * step
                    for ky in 0..<kernel {
                        for kx in 0..<kernel {
                            let index = (oy * step + ky) * width + ox * step + kx
                            if src[index] > best {
                                best = src[index]
                                bestIndex = index
                            }
                        }
                    }
                    let o = (plane * oh + oy) * ow + ox
                    q[o] = best
                    winners[o] = Int32(bestIndex)
                }
            }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            let gp = g.data
            let r = grad.data
            let planeOut = oh * ow
            for plane in 0..<(batch * channels) {
                for i in 0..<planeOut {
                    r[plane * height * width + Int(winners[plane * planeOut + i])] += gp[plane * planeOut + i]
                }
            }
            return [grad]
        }
    }

    /// Nearest-neighbour upsampling by an integer factor.
    public func upsampleNearest(factor: Int) -> Tensor {
        precondition(rank == 4 && factor >= 1, "upsampleNearest needs NCHW input and factor >= 1")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let oh = height * factor
        let ow = width * factor
        let out = Tensor(shape: [batch, channels, oh, ow], storage: TensorStorage(uninitializedCount: batch * channels * oh * ow))
        for plane in 0..<(batch * channels) {
            for y in 0..<oh {
                for x in 0..<ow {
                    out.data[(plane * oh + y) * ow + x] = data[(plane * height + y / factor) * width + x / factor]
                }
            }
        }
        let inputShape = shape
        return Tensor.record(out, inputs: [self]) { g, _ in
            let grad = Tensor(zeros: inputShape)
            for plane in 0..<(batch * channels) {
                for y in 0..<oh {
                    for x in 0..<ow {
                        grad.data[(plane * height + y / factor) * width + x / factor] += g.data[(plane * oh + y) * ow + x]
                    }
                }
            }
            return [grad]
        }
    }

    /// Adds `bias[c]` to every element of channel c of an NCHW tensor, in place.
    static func addChannelBias(_ bias: Tensor, to out: Tensor) {
        let (batch, channels, plane) = (out.shape[0], out.shape[1], out.shape[2] * out.shape[3])
        for b in 0..<batch {
            for c in 0..<channels {
                let base = out.data + (b * channels + c) * plane
                let value = bias.data[c]
                for i in 0..<plane { base[i] += value }
            }
        }
    }
}
