import Foundation
import Models
import NeuralNet
import TensorCore

/// TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui & Jordan 2019, "Theoretically principled trade-off between
/// robustness and accuracy"): the loss
/// `CE(f(x), y) + beta * (1/batch) * sum_i KL(softmax f(x_i) || softmax f(x'_i))`,
/// where `x'` maximises the KL term in the L-inf ball of radius `epsilon`: it starts at
/// `x + 0.001 N(0, 1)` (clipped to [0, 1]) and takes `steps` signed-gradient steps of `stepSize`, each
/// projected onto the ball and [0, 1] (the authors' `trades_loss`). The gradient reaches the weights
/// through both `f(x)` and `f(x')`; `x'` itself is a constant, as in the paper.
///
/// Defaults here: `stepSize` 2.5 eps / steps (as PGD-AT in this project), not the paper's fixed 0.01
/// for MNIST at eps 0.3 with 40 steps; beta 6 (the paper's). Randomness: `seed + step`.
public struct TRADESObjective: ClassifierObjective {
    public let epsilon: Float
    public let steps: Int
    public let stepSize: Float
    public let beta: Float
    public let seed: UInt64

    public init(epsilon: Float, steps: Int, stepSize: Float, beta: Float, seed: UInt64) {
        precondition(epsilon > 0 && steps >= 1 && stepSize > 0 && beta >= 0, "bad TRADES settings")
        self.epsilon = epsilon
        self.steps = steps
        self.stepSize = stepSize
        self.beta = beta
        self.seed = seed
    }

    public func loss(model: Classifier, images: Tensor, labels: [Int], step: Int) throws -> Tensor {
        let clean = images.detached()
        let adversarial = examples(model: model, images: clean, step: step)
        let natural = model(clean)
        let robust = Self.klDivergence(natural: natural, adversarial: model(adversarial))
        return Loss.crossEntropy(logits: natural, labels: labels) + robust.scaled(by: beta)
    }

    /// The mean over rows of `KL(softmax(natural) || softmax(adversarial))`, both `[batch, classes]`
    /// logits: `(1/batch) sum_ij p_ij (log p_ij - log q_ij)` (PyTorch's
    /// `KLDivLoss(reduction="sum")(log_softmax(adversarial), softmax(natural)) / batch`). Differentiable
    /// in both arguments. - Returns: a 0-d tensor.
    public static func klDivergence(natural: Tensor, adversarial: Tensor) -> Tensor {
        precondition(natural.shape == adversarial.shape && natural.rank == 2, "klDivergence: shapes differ")
        let logP = natural.logSoftmax()
        let terms = natural.softmax() * (logP - adversarial.logSoftmax())
        return terms.sum().scaled(by: 1 / Float(max(natural.shape[0], 1)))
    }

    /// TRADES' inner maximisation: `x'` for `images` `[batch, pixels]` against `model` (whose weights
    /// receive no gradient here).
    public func examples(model: Classifier, images clean: Tensor, step: Int) -> Tensor {
        model.withFrozenParameters { adversarialExamples(model: model, images: clean, step: step) }
    }

    private func adversarialExamples(model: Classifier, images clean: Tensor, step: Int) -> Tensor {
        let target = model(clean).detached()
        var generator = RandomGenerator(seed: seed &+ UInt64(step))
        let adversarial = clean.copy()
        let (x, c, count) = (adversarial.data, clean.data, clean.count)
        // The start's noise drawn 32 lanes at a time (`fillGaussian`): drawn one by one through libm's
        // log, sin and cos it had been 6% of a TRADES training profile.
        generator.fillGaussian(x, count: count)
        for i in 0..<count { x[i] = min(max(c[i] + 0.001 * x[i], 0), 1) }
        for _ in 0..<steps {
            let input = adversarial.detached()
            input.requiresGrad = true
            Self.klDivergence(natural: target, adversarial: model(input)).backward()
            guard let gradient = input.grad else { break }
            let g = gradient.data
            // Local copies of the step and radius: read through `self` they were reloaded on every
            // element (the stores to `x` might alias them), which kept the loop scalar.
            let (step, radius) = (stepSize, epsilon)
            for i in 0..<count {
                let moved = x[i] + (g[i] > 0 ? step : g[i] < 0 ? -step : 0)
                x[i] = min(max(min(max(moved, c[i] - radius), c[i] + radius), 0), 1)
            }
        }
        return adversarial
    }
}
