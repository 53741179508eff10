/// A convolution followed by a 2x2 max pooling in one op, as every CNN here has them.
extension Tensor {
    /// `conv2d(weight:bias:stride:padding:)` then `maxPool2d(kernel: 2)`, bitwise the two ops' values and
    /// gradients, without the convolution's output ever being stored whole: each group of images
    /// (`DirectConvolution`) is pooled while its output is still in the core's cache, and the backward
    /// pass rebuilds that output's gradient group by group from the pooled gradient and the windows'
    /// winners. The two passes over the full-size output and its gradient, which ran from memory (a
    /// batch of 128 of the CNN's first layer is 12.8 MB), and that output's memory go.
    /// - Parameters: self [batch, inC, H, W]; weight [outC, inC, kh, kw]; bias [outC].
    /// - Returns: [batch, outC, outH / 2, outW / 2] (a last odd row or column of the output is dropped).
    public func conv2dMaxPool(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
        let conv = DirectConvolution(input: self, weight: weight, bias: bias, stride: stride, padding: padding)
        let (geometry, grouping, outChannels) = (conv.geometry, conv.grouping, conv.outChannels)
        let (height, width, positions) = (geometry.outHeight, geometry.outWidth, geometry.positions)
        precondition(height >= 2 && width >= 2, "conv2dMaxPool: the convolution's output is smaller than the window")
        let pooledPlane = (height / 2) * (width / 2)
        let batch = shape[0]
        let pooled = Tensor(
            shape: [batch, outChannels, height / 2, width / 2],
            storage: TensorStorage(uninitializedCount: batch * outChannels * pooledPlane))
        let winners = WinnerStorage(count: batch * outChannels * pooledPlane)
        /// Calls `body(plane, window)` with where each of the group's output planes starts in its
        /// `[outC, count * positions]` matrix and where its windows start among the pooled planes.
        @Sendable func forEachPlane(of group: Range<Int>, _ body: (Int, Int) -> Void) {
            for image in 0..<group.count {
                for k in 0..<outChannels {
                    body(
                        k * group.count * positions + image * positions,
                        ((group.lowerBound + image) * outChannels + k) * pooledPlane)
                }
            }
        }
        conv.split.run { _, images in
            let columns = grouping.columnScratch(geometry)
            let output = TensorStorage(uninitializedCount: grouping.size * conv.outPlane)
            for group in grouping.groups(of: images) {
                conv.forward(group, columns: columns, into: output.pointer)
                forEachPlane(of: group) { plane, window in
                    Tensor.maxPoolPlane(
                        output.pointer + plane, height: height, width: width, kernel: 2, stride: 2,
                        into: pooled.data + window, winners: winners.pointer + window)
                }
            }
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        return Tensor.record(pooled, inputs: inputs) { [self] g, _ in
            // Each thread writes its own images' input gradient whole (`DirectConvolution.backward`).
            let gradInput =
                self.requiresGrad
                ? Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count)) : nil
            let parts = conv.parameterGradientParts()
            conv.split.run { piece, images in
                let columns = grouping.columnScratch(geometry)
                let gradOut = TensorStorage(uninitializedCount: grouping.size * conv.outPlane)
                for group in grouping.groups(of: images) {
                    gradOut.pointer.update(repeating: 0, count: group.count * conv.outPlane)
                    forEachPlane(of: group) { plane, window in
                        Tensor.maxPoolPlaneGradient(
                            g.data + window, winners: winners.pointer + window, count: pooledPlane,
                            into: gradOut.pointer + plane)
                    }
                    conv.backward(
                        group, piece: piece, gradOut: gradOut.pointer, columns: columns, parts: parts,
                        gradInput: gradInput)
                }
            }
            return [gradInput] + parts.totals()
        }
    }
}
