import Models
import NeuralNet
import TensorCore

/// What the perceptual attacks (`LagrangianPerceptualAttack`, `PerceptualPGD`) share: the perceptual
/// distance to the clean images, the margin loss `min(max_{k != y} Z_k - Z_y, kappa)` with kappa 1
/// (Laidlaw et al.'s), normalised-gradient steps of a size that decays linearly to a tenth, and the
/// per-image distances of the output.
class PerceptualAttackRun: GradientAttackRun {
    static let kappa: Float = 1
    let perceptual: PerceptualDistance
    let bound: Float
    let stepSize: Float
    /// `n_l(x)` of the clean images, `[batch, channels, positions]` per layer.
    let cleanFeatures: [Tensor]

    init(
        method: String, classifier: Classifier, images: Tensor, labels: [Int], perceptual: PerceptualDistance,
        bound: Float, stepSize: Float, iterationCount: Int
    ) {
        self.perceptual = perceptual
        self.bound = bound
        self.stepSize = stepSize
        cleanFeatures = noGrad { perceptual.normalisedFeatures(images).features }
        super.init(
            method: method, classifier: classifier, clean: images, labels: labels, targets: nil,
            iterationCount: iterationCount)
    }

    /// The step size at step `step` of `steps`: from `stepSize` down to a tenth of it.
    func stepSize(at step: Int, of steps: Int) -> Float {
        stepSize * (1 - 0.9 * Float(step) / Float(max(steps - 1, 1)))
    }

    /// d/dx of `sum_i [margin_i(x_i) - lambda_i * relu(d(x_i, clean_i) - bound)]` (no penalty when
    /// `lambda` is nil), with the margins and distances at `x`.
    func objectiveGradient(at x: Tensor, lambda: [Float]?) -> (gradient: Tensor, margins: [Float], distances: [Float]) {
        let batch = x.shape[0]
        gradientEvaluations += ExpectationOverTransformation.evaluations(batch)
        return classifier.withFrozenParameters {
            let input = x.detached()
            input.requiresGrad = true
            let (features, logits) = perceptual.normalisedFeatures(input)
            let distances = perceptual.distance(features, cleanFeatures)
            let classes = logits.shape[1]
            let selector = Tensor(zeros: logits.shape)
            var margins = [Float](repeating: 0, count: batch)
            for i in 0..<batch {
                let row = logits.data + i * classes
                let y = labels[i]
                var other = y == 0 ? 1 : 0
                for k in 0..<classes where k != y && row[k] > row[other] { other = k }
                margins[i] = row[other] - row[y]
                if margins[i] < PerceptualAttackRun.kappa {
                    selector.data[i * classes + other] = 1
                    selector.data[i * classes + y] = -1
                }
            }
            var objective = (logits * selector).sum()
            if let lambda {
                let penalty = distances.shifted(by: -bound).relu() * Tensor(shape: [batch], scalars: lambda)
                objective = objective - penalty.sum()
            }
            let values = distances.detached().scalars
            guard objective.requiresGrad else { return (Tensor(zeros: x.shape), margins, values) }
            objective.backward()
            return (input.grad ?? Tensor(zeros: x.shape), margins, values)
        }
    }

    /// `clip_[0,1](x + step * g / ||g||_2)` per image.
    func ascend(_ x: Tensor, gradient: Tensor, step: Float) -> Tensor {
        Projection.l2Step(x, gradient: gradient, clean: clean, step: step, epsilon: .infinity)
    }

    /// Records the perceptual distance of `output` per image (`perceptual_distance`).
    func publishDistances() {
        perImageExtras["perceptual_distance"] = perceptual(output, clean).map(Double.init)
    }
}
