import TensorCore

/// Classifier-free guidance (Ho & Salimans 2021, "Classifier-Free Diffusion Guidance", eq. 6): one
/// noise network trained with and without the class label gives both predictions, and sampling uses
///
///     eps~(x_t, t, k) = (1 + w) eps(x_t, t, k) - w eps(x_t, t, none)
///
/// `w = 0` is the plain conditional model; larger `w` trades sample diversity for samples that look
/// more like their class. `w` is the paper's guidance strength (their `w`, not `1 + w`).
public struct ClassifierFreeGuidance: Sendable, Equatable {
    /// The class each sample is drawn from, one per row of the batch the sampler carries.
    public let labels: [Int]
    /// The guidance strength `w >= 0`.
    public let weight: Double

    /// - Parameters:
    ///   - labels: the class per sample (`0..<classCount` of the model).
    ///   - weight: `w >= 0`.
    public init(labels: [Int], weight: Double) {
        precondition(weight >= 0 && weight.isFinite, "classifier-free guidance: w must be finite and >= 0")
        self.labels = labels
        self.weight = weight
    }

    /// `(1 + w) conditional - w unconditional`, element by element.
    /// - Parameters: conditional, unconditional: `eps(x_t, t, k)` and `eps(x_t, t, none)`, the same shape
    ///   (`[batch, pixels]`).
    /// - Returns: the guided noise prediction, the shape of the inputs.
    public static func combine(conditional: Tensor, unconditional: Tensor, weight: Double) -> Tensor {
        precondition(
            conditional.shape == unconditional.shape, "guidance: \(conditional.shape) vs \(unconditional.shape)")
        let out = Tensor(zeros: conditional.shape)
        let (c, u, o) = (conditional.data, unconditional.data, out.data)
        let (a, b) = (Float(1 + weight), Float(weight))
        for i in 0..<out.count { o[i] = a * c[i] - b * u[i] }
        return out
    }
}
