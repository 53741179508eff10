/// Group normalisation followed by SiLU in one pass (the U-Net's `norm -> SiLU` before every
/// convolution; Wu and He 2018, Elfwing et al. 2018).
extension Tensor {
    /// `groupNorm(groups:weight:bias:epsilon:).silu()` without the normalised tensor in between: the
    /// forward pass writes SiLU of each normalised value as it computes it, and the backward pass
    /// recomputes the normalised values from the input and its group statistics, so that neither
    /// pass writes or reads a whole intermediate tensor, and the graph keeps one tensor fewer.
    /// Every value is computed with the same operations in the same order as the two ops, so the
    /// output and the gradients are bitwise theirs (tested).
    /// - Parameters: self [batch, channels, ...]; weight and bias [channels].
    public func groupNormSiLU(groups: Int, weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) -> Tensor {
        let layout = GroupNormLayout(self, groups: groups, weight: weight, bias: bias, operation: "groupNormSiLU")
        let (batch, channels, plane, perGroup, groupSize) =
            (layout.batch, layout.channels, layout.plane, layout.perGroup, layout.groupSize)
        let statistics = TensorStorage(uninitializedCount: 2 * batch * groups)  // mean, 1/std per (b, g)
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        /// The normalisation's scale and shift of channel `k` of group `index` (as `groupNorm` computes them).
        @Sendable func affine(_ index: Int, _ k: Int) -> (scale: Float, shift: Float) {
            let channel = (index % groups) * perGroup + k
            let scale = statistics.pointer[2 * index + 1] * weight.data[channel]
            return (scale, bias.data[channel] - statistics.pointer[2 * index] * scale)
        }
        Tensor.forEachPlaneRange(planes: batch * groups, elementsPerPlane: groupSize) { range in
            for index in range {
                let x = self.data + index * groupSize
                let (mean, inverse) = GroupNormMath.statistics(x, groupSize, epsilon: epsilon)
                statistics.pointer[2 * index] = mean
                statistics.pointer[2 * index + 1] = inverse
                for k in 0..<perGroup {
                    let (scale, shift) = affine(index, k)
                    GroupNormMath.affineSiLU(
                        x + k * plane, out.data + index * groupSize + k * plane, plane, scale: scale, shift: shift)
                }
            }
        }
        return Tensor.record(out, inputs: [self, weight, bias]) { [self] g, _ in
            let gradInput = Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count))
            let partial = TensorStorage(uninitializedCount: 2 * batch * channels)
            Tensor.forEachPlaneRange(planes: batch * groups, elementsPerPlane: groupSize) { range in
                for index in range {
                    let x = self.data + index * groupSize
                    let target = gradInput.data + index * groupSize
                    // SiLU's gradient first, into the input gradient's own memory (one group: in L1).
                    for k in 0..<perGroup {
                        let (scale, shift) = affine(index, k)
                        GroupNormMath.affineSiLUBackward(
                            g.data + index * groupSize + k * plane, x + k * plane, target + k * plane, plane,
                            scale: scale, shift: shift)
                    }
                    let firstChannel = (index % groups) * perGroup
                    GroupNormMath.inputGradient(
                        dy: target, x: x, into: target, channels: perGroup, plane: plane,
                        mean: statistics.pointer[2 * index], inverse: statistics.pointer[2 * index + 1],
                        gamma: weight.data + firstChannel,
                        partial: partial.pointer + 2 * ((index / groups) * channels + firstChannel))
                }
            }
            let (gradWeight, gradBias) = GroupNormMath.parameterGradients(partial, batch: batch, channels: channels)
            return [gradInput, gradWeight, gradBias]
        }
    }
}

extension GroupNormMath {
    /// `y = silu(x * scale + shift)`, 16 lanes at a time: the product and the sum rounded apart, as
    /// `groupNorm` writes them, then `VectorMath.silu` as `ElementwiseKernels.silu` applies it.
    static func affineSiLU(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float
    ) {
        let (vScale, vShift) = (SIMD16<Float>(repeating: scale), SIMD16<Float>(repeating: shift))
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) * vScale + vShift
            UnsafeMutableRawPointer(y + i).storeBytes(of: VectorMath.silu(v), as: SIMD16<Float>.self)
            i += 16
        }
        if i < n {
            var tail = SIMD16<Float>(repeating: 0)
            for j in i..<n { tail[j - i] = x[j] * scale + shift }
            let out = VectorMath.silu(tail)
            for j in i..<n { y[j] = out[j - i] }
        }
    }

    /// SiLU's backward pass at `v = x * scale + shift`: `dv = g * s * (1 + v * (1 - s))`, s = sigmoid(v),
    /// as `ElementwiseKernels.siluBackward` computes it from the stored `v`.
    static func affineSiLUBackward(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dv: UnsafeMutablePointer<Float>, _ n: Int,
        scale: Float, shift: Float
    ) {
        let (vScale, vShift) = (SIMD16<Float>(repeating: scale), SIMD16<Float>(repeating: shift))
        let one = SIMD16<Float>(repeating: 1)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) * vScale + vShift
            let s = one / (one + VectorMath.exp(-v))
            let gradient = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(dv + i).storeBytes(of: gradient * s * (one + v * (one - s)), as: SIMD16<Float>.self)
            i += 16
        }
        if i < n {
            var (gt, vt) = (SIMD16<Float>(repeating: 0), SIMD16<Float>(repeating: 0))
            for j in i..<n { (gt[j - i], vt[j - i]) = (g[j], x[j] * scale + shift) }
            let s = one / (one + VectorMath.exp(-vt))
            let out = gt * s * (one + vt * (one - s))
            for j in i..<n { dv[j] = out[j - i] }
        }
    }
}
