/// A U-Net decoder's join: the coarser features upsampled and the encoder's features beside them.
extension Tensor {
    /// `Tensor.concatenate([upsampleNearest(factor: factor), other], axis: 1)`, bitwise. Where nothing is
    /// recorded, the upsampled planes are written straight into the concatenation, without the upsampled
    /// tensor in between (a write and a read of four times this tensor); otherwise the two ops, recorded
    /// where they are.
    /// - Parameters: self [batch, C, H, W]; other [batch, C2, H * factor, W * factor].
    public func upsampleNearest(factor: Int, concatenatedWith other: Tensor) -> Tensor {
        let recorded = GradMode.isEnabled && (requiresGrad || other.requiresGrad)
        guard !recorded, rank == 4, factor >= 1, other.rank == 4, other.shape[0] == shape[0],
            other.shape[2] == shape[2] * factor, other.shape[3] == shape[3] * factor
        else { return Tensor.concatenate([upsampleNearest(factor: factor), other], axis: 1) }
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let otherChannels = other.shape[1]
        let all = channels + otherChannels
        let (planeIn, planeOut) = (height * width, height * width * factor * factor)
        let out = Tensor(
            shape: [batch, all, height * factor, width * factor],
            storage: TensorStorage(uninitializedCount: batch * all * planeOut))
        Tensor.forEachPlaneRange(planes: batch * all, elementsPerPlane: planeOut) { range in
            for plane in range {
                let (image, channel) = plane.quotientAndRemainder(dividingBy: all)
                let target = out.data + plane * planeOut
                if channel < channels {
                    Tensor.upsamplePlane(
                        self.data + (image * channels + channel) * planeIn, into: target, height: height,
                        width: width, factor: factor)
                } else {
                    target.update(
                        from: other.data + (image * otherChannels + channel - channels) * planeOut, count: planeOut)
                }
            }
        }
        return out
    }
}
