/// Group normalisation (Wu and He, "Group Normalization", 2018), the normalisation of DDPM's U-Net:
/// the channels of each sample are split into `groups`; each group is normalised to zero mean and
/// unit variance over its channels and positions, then every channel gets its own scale and shift.
/// Unlike batch normalisation it does not depend on the other samples of the batch.
extension Tensor {
    /// `y[b, c, ...] = (x[b, c, ...] - mean[b, g]) / sqrt(var[b, g] + epsilon) * weight[c] + bias[c]`,
    /// `g` the group of channel `c` (channels `g * C/G ..< (g + 1) * C/G`), the biased variance over
    /// the group, as PyTorch's `nn.GroupNorm`.
    /// - Parameters: self [batch, channels, ...]; weight and bias [channels].
    public func groupNorm(groups: Int, weight: Tensor, bias: Tensor, epsilon: Float = 1e-5) -> Tensor {
        let layout = GroupNormLayout(self, groups: groups, weight: weight, bias: bias, operation: "groupNorm")
        let (batch, channels, plane, perGroup, groupSize) =
            (layout.batch, layout.channels, layout.plane, layout.perGroup, layout.groupSize)
        let statistics = TensorStorage(uninitializedCount: 2 * batch * groups)  // mean, 1/std per (b, g)
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        Tensor.forEachPlaneRange(planes: batch * groups, elementsPerPlane: groupSize) { range in
            for index in range {
                let x = self.data + index * groupSize
                let (mean, inverse) = GroupNormMath.statistics(x, groupSize, epsilon: epsilon)
                statistics.pointer[2 * index] = mean
                statistics.pointer[2 * index + 1] = inverse
                let firstChannel = (index % groups) * perGroup
                for k in 0..<perGroup {
                    let scale = inverse * weight.data[firstChannel + k]
                    let shift = bias.data[firstChannel + k] - mean * scale
                    let source = x + k * plane
                    let target = out.data + index * groupSize + k * plane
                    for i in 0..<plane { target[i] = source[i] * scale + shift }
                }
            }
        }
        return Tensor.record(out, inputs: [self, weight, bias]) { [self] g, _ in
            let gradInput = Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count))
            // Per (b, c): sum of dy * xhat and of dy, reduced over the batch afterwards.
            let partial = TensorStorage(uninitializedCount: 2 * batch * channels)
            Tensor.forEachPlaneRange(planes: batch * groups, elementsPerPlane: groupSize) { range in
                for index in range {
                    let x = self.data + index * groupSize
                    let dy = g.data + index * groupSize
                    let mean = statistics.pointer[2 * index]
                    let inverse = statistics.pointer[2 * index + 1]
                    let b = index / groups
                    let firstChannel = (index % groups) * perGroup
                    GroupNormMath.inputGradient(
                        dy: dy, x: x, into: gradInput.data + index * groupSize, channels: perGroup, plane: plane,
                        mean: mean, inverse: inverse, gamma: weight.data + firstChannel,
                        partial: partial.pointer + 2 * (b * channels + firstChannel))
                }
            }
            let (gradWeight, gradBias) = GroupNormMath.parameterGradients(partial, batch: batch, channels: channels)
            return [gradInput, gradWeight, gradBias]
        }
    }
}

/// The shape of a group normalisation, checked: `[batch, channels, ...]` with `channels` a multiple of
/// `groups`, and one weight and bias per channel (shared by `groupNorm` and `groupNormSiLU`).
struct GroupNormLayout {
    let batch: Int
    let channels: Int
    /// Elements per channel of one sample.
    let plane: Int
    let perGroup: Int
    /// Elements of one (sample, group): `perGroup * plane`.
    let groupSize: Int

    init(_ x: Tensor, groups: Int, weight: Tensor, bias: Tensor, operation: String) {
        precondition(x.rank >= 2, "\(operation) needs [batch, channels, ...]")
        (batch, channels) = (x.shape[0], x.shape[1])
        precondition(
            groups >= 1 && channels % groups == 0, "\(operation): \(channels) channels in \(groups) groups")
        precondition(
            weight.shape == [channels] && bias.shape == [channels],
            "\(operation): weight and bias must be [\(channels)]")
        plane = channels == 0 || batch == 0 ? 0 : x.count / (batch * channels)
        perGroup = channels / groups
        groupSize = perGroup * plane
    }
}

/// The reductions of `groupNorm`, on 16 lanes.
enum GroupNormMath {
    /// The mean of a group and the inverse of its standard deviation (biased variance plus `epsilon`).
    @inline(__always)
    static func statistics(_ x: UnsafePointer<Float>, _ count: Int, epsilon: Float) -> (mean: Float, inverse: Float) {
        let mean = ElementwiseKernels.sum(x, count) / Float(count)
        let variance = squaredDeviations(x, count, mean) / Float(count)
        return (mean, 1 / (variance + epsilon).squareRoot())
    }

    /// The weight and bias gradients from the per-(sample, channel) sums `(sum(dy * xhat), sum(dy))`,
    /// added over the batch in order.
    static func parameterGradients(_ partial: TensorStorage, batch: Int, channels: Int) -> (Tensor, Tensor) {
        let gradWeight = Tensor(zeros: [channels])
        let gradBias = Tensor(zeros: [channels])
        for b in 0..<batch {
            for c in 0..<channels {
                gradWeight.data[c] += partial.pointer[2 * (b * channels + c)]
                gradBias.data[c] += partial.pointer[2 * (b * channels + c) + 1]
            }
        }
        return (gradWeight, gradBias)
    }

    static func squaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, _ mean: Float) -> Float {
        var lanes = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - mean
            lanes += d * d
            i += 16
        }
        var total = lanes.sum()
        while i < count {
            total += (x[i] - mean) * (x[i] - mean)
            i += 1
        }
        return total
    }

    /// One group's input gradient from its output gradient `dy` (which may be `target` itself), and
    /// each channel's `(sum(dy * xhat), sum(dy))` in `partial`: with dxhat = dy * gamma,
    /// dx = inverse * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) over the group.
    static func inputGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, channels: Int,
        plane: Int, mean: Float, inverse: Float, gamma: UnsafePointer<Float>, partial: UnsafeMutablePointer<Float>
    ) {
        var s1: Float = 0
        var s2: Float = 0
        for k in 0..<channels {
            let (sumDy, sumDyX) = sums(dy + k * plane, x + k * plane, plane)
            let sumDyXhat = (sumDyX - mean * sumDy) * inverse
            partial[2 * k] = sumDyXhat
            partial[2 * k + 1] = sumDy
            s1 += sumDy * gamma[k]
            s2 += sumDyXhat * gamma[k]
        }
        let n = Float(channels * plane)
        let (m1, m2) = (s1 / n, s2 / n)
        for k in 0..<channels {
            let (source, gradOut, out) = (x + k * plane, dy + k * plane, target + k * plane)
            let g = gamma[k]
            // 16 lanes at a time by hand: with `dy` and `target` the same memory the compiler's vectoriser
            // would fall back to its scalar loop. Each lane computes what the scalar tail computes.
            let (vMean, vInverse, vGamma) = (SIMD16(repeating: mean), SIMD16(repeating: inverse), SIMD16(repeating: g))
            let (vM1, vM2) = (SIMD16<Float>(repeating: m1), SIMD16<Float>(repeating: m2))
            var i = 0
            while i + 16 <= plane {
                let xhat = (UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self) - vMean) * vInverse
                let d = UnsafeRawPointer(gradOut + i).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(out + i).storeBytes(
                    of: vInverse * (d * vGamma - vM1 - xhat * vM2), as: SIMD16<Float>.self)
                i += 16
            }
            while i < plane {
                let xhat = (source[i] - mean) * inverse
                out[i] = inverse * (gradOut[i] * g - m1 - xhat * m2)
                i += 1
            }
        }
    }

    /// `(sum(dy), sum(dy * x))`.
    static func sums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
        var a = SIMD16<Float>()
        var b = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let d = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD16<Float>.self)
            a += d
            b += d * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var (sumDy, sumDyX) = (a.sum(), b.sum())
        while i < count {
            sumDy += dy[i]
            sumDyX += dy[i] * x[i]
            i += 1
        }
        return (sumDy, sumDyX)
    }
}
