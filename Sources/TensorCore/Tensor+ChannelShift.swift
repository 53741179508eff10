/// A per-sample, per-channel shift of a feature map: how a U-Net block receives its conditioning
/// (DDPM adds the projected time embedding to every channel of every position).
extension Tensor {
    /// `out[b, c, ...] = self[b, c, ...] + shift[b, c]`.
    /// - Parameters: self [batch, channels, ...]; shift [batch, channels].
    public func shiftedPerChannel(by shift: Tensor) -> Tensor {
        precondition(
            rank >= 2 && shift.shape == [shape[0], shape[1]], "shiftedPerChannel: \(shift.shape) for \(shape)")
        let rows = shape[0] * shape[1]
        let plane = rows == 0 ? 0 : count / rows
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        Tensor.forEachPlaneRange(planes: rows, elementsPerPlane: plane) { range in
            for row in range {
                let value = shift.data[row]
                let source = self.data + row * plane
                let target = out.data + row * plane
                for i in 0..<plane { target[i] = source[i] + value }
            }
        }
        return Tensor.record(out, inputs: [self, shift]) { g, _ in
            let gradShift = Tensor(shape: shift.shape, storage: TensorStorage(uninitializedCount: rows))
            for row in 0..<rows { gradShift.data[row] = ElementwiseKernels.sum(g.data + row * plane, plane) }
            return [g, gradShift]
        }
    }
}
