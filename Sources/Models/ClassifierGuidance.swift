import NeuralNet
import TensorCore

/// Classifier guidance (Dhariwal & Nichol 2021, "Diffusion Models Beat GANs on Image Synthesis",
/// section 4): the gradient of a classifier's `log p_phi(k | x_t)` steers each sampling step toward
/// class `k`, scaled by `s`.
///
/// - Ancestral DDPM (their Algorithm 1): the step's mean is shifted,
///   `mu' = mu + s Sigma grad_{x_t} log p_phi(k | x_t)`, `Sigma = sigma_t^2` the step's variance.
/// - DDIM (their Algorithm 2): the noise prediction is replaced by
///   `eps' = eps - sqrt(1 - alphaBar_t) s grad_{x_t} log p_phi(k | x_t)`.
///
/// The gradient is taken in the diffusion's pixel space, [-1, 1] (MATH.md 8). A classifier of this
/// workbench reads pixels in [0, 1] (MATH.md 9), so it sees `u = (x_t + 1) / 2` (not clamped: a clamp
/// would cut the gradient of every pixel outside [0, 1], and early `x_t` are mostly outside) and the
/// chain rule gives `grad_x = 1/2 grad_u` (`fromClassifier`).
public struct ClassifierGuidance {
    /// The class each sample is steered toward, one per row of the sampler's batch.
    public let labels: [Int]
    /// The guidance scale `s >= 0` (0: no guidance).
    public let scale: Double
    /// `grad_{x_t} log p(labels_i | x_t)` for `x_t` `[n, pixels]` in diffusion space, one row per sample
    /// (the rows of the labels); the same shape as `x_t`.
    public let gradient: (Tensor) -> Tensor

    /// - Parameters:
    ///   - labels: the class per sample.
    ///   - scale: `s`, finite and `>= 0`.
    ///   - gradient: `grad_{x_t} log p(labels | x_t)` in diffusion space.
    public init(labels: [Int], scale: Double, gradient: @escaping (Tensor) -> Tensor) {
        precondition(scale >= 0 && scale.isFinite, "classifier guidance: the scale must be finite and >= 0")
        self.labels = labels
        self.scale = scale
        self.gradient = gradient
    }

    /// Guidance by a classifier on [0, 1] pixels (`Classifier`), evaluated at `(x_t + 1) / 2`.
    public static func fromClassifier(_ classifier: Classifier, labels: [Int], scale: Double) -> ClassifierGuidance {
        ClassifierGuidance(labels: labels, scale: scale) { x in
            logProbabilityGradient(classifier, at: x, labels: labels)
        }
    }

    /// `grad_x sum_i log p(labels_i | (x_i + 1) / 2)` for `x` `[n, pixels]` in diffusion space; row `i` is
    /// sample `i`'s own gradient (the rows do not interact). The classifier's parameters are left as
    /// they were (no weight gradients are accumulated).
    ///
    /// Needs the autograd graph: call it outside `noGrad`.
    public static func logProbabilityGradient(_ classifier: Classifier, at x: Tensor, labels: [Int]) -> Tensor {
        precondition(GradMode.isEnabled, "classifier guidance needs gradients: call it outside noGrad")
        precondition(x.rank == 2 && x.shape[0] == labels.count, "classifier guidance: \(x.shape) for \(labels.count)")
        let input = Tensor(zeros: x.shape)
        for i in 0..<x.count { input.data[i] = (x.data[i] + 1) / 2 }
        input.requiresGrad = true
        // The mean cross-entropy is -(1/n) sum_i log p(labels_i | u_i); its gradient times -n is the
        // gradient of the summed log-probability, and the chain rule through u = (x + 1) / 2 halves it.
        classifier.withFrozenParameters { Loss.crossEntropy(logits: classifier(input), labels: labels).backward() }
        let factor = -Float(labels.count) / 2
        let gradient = Tensor(zeros: x.shape)
        if let grad = input.grad {
            for i in 0..<x.count { gradient.data[i] = factor * grad.data[i] }
        }
        return gradient
    }

    /// Algorithm 1's mean shift, in place: `mean += s variance gradient`.
    /// - Parameters: mean and gradient `count` values each; variance `Sigma = sigma_t^2`.
    public func shiftMean(
        _ mean: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, variance: Double
    ) {
        let factor = Float(scale * variance)
        for i in 0..<count { mean[i] += factor * gradient[i] }
    }

    /// Algorithm 2's guided noise: `eps - sqrt(1 - alphaBar_t) s gradient`, a new tensor.
    /// - Parameters: eps and gradient the same shape (`[n, pixels]`); alphaBar the step's `alphaBar_t`.
    public func guidedNoise(_ eps: Tensor, gradient: Tensor, alphaBar: Double) -> Tensor {
        precondition(eps.shape == gradient.shape, "classifier guidance: \(eps.shape) vs \(gradient.shape)")
        let factor = Float((1 - alphaBar).squareRoot() * scale)
        let out = Tensor(zeros: eps.shape)
        for i in 0..<eps.count { out.data[i] = eps.data[i] - factor * gradient.data[i] }
        return out
    }
}
