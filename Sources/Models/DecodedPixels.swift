import TensorCore

/// Pixels of sampled images from a decoder's logits: the sigmoid, but NaN where a logit is not finite.
///
/// A decoder whose weights overflow single precision (a checkpoint edited or damaged to hold 1e30s)
/// gives logits of plus or minus infinity, and their sigmoid is exactly 1 or 0: finite, all-white or
/// all-black images that a sampler would write and score without a word. As NaN they are what the
/// samplers' divergence checks refuse. Training keeps the plain sigmoid (its losses see the logits).
public enum DecodedPixels {
    /// `sigmoid(logits)`, NaN in every element whose logit is NaN or infinite (still differentiable: the
    /// NaNs are added as a constant).
    public static func fromLogits(_ logits: Tensor) -> Tensor {
        let pixels = logits.sigmoid()
        let values = UnsafeBufferPointer(start: logits.data, count: logits.count)
        guard values.contains(where: { !$0.isFinite }) else { return pixels }
        return pixels + Tensor(shape: logits.shape, scalars: values.map { $0.isFinite ? 0 : Float.nan })
    }
}
