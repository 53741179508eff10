import Foundation
import TensorCore

/// Adam (Kingma & Ba 2015) with PyTorch's semantics: L2 weight decay added to the gradient, bias
/// correction, `p -= lr * m_hat / (sqrt(v_hat) + eps)`.
public final class Adam: Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// Number of steps taken (shared by all parameters, as every parameter steps together here).
    public private(set) var stepCount = 0
    private var firstMoments: [Tensor]
    private var secondMoments: [Tensor]

    public init(
        parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
    ) {
        precondition(learningRate >= 0, "learning rate must be non-negative")
        precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)")
        precondition(epsilon >= 0 && weightDecay >= 0, "epsilon and weight decay must be non-negative")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = parameters.map { Tensor(zeros: $0.tensor.shape) }
        secondMoments = parameters.map { Tensor(zeros: $0.tensor.shape) }
    }

    public func step() {
        stepCount += 1
        let correction1 = 1 - Foundation.pow(beta1, Float(stepCount))
        let correction2 = 1 - Foundation.pow(beta2, Float(stepCount))
        let stepSize = learningRate / correction1
        let inverseRootCorrection2 = 1 / correction2.squareRoot()
        for (index, (_, parameter)) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            let p = parameter.data
            let g = grad.data
            let m = firstMoments[index].data
            let v = secondMoments[index].data
            let (b1, b2, eps, wd) = (beta1, beta2, epsilon, weightDecay)
            for i in 0..<parameter.count {
                let gi = g[i] + wd * p[i]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                p[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseRootCorrection2 + eps)
            }
        }
    }

    public func stateDict() -> (tensors: [(name: String, tensor: Tensor)], counters: [String: Int]) {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (index, (name, _)) in parameters.enumerated() {
            tensors.append(("\(name).exp_avg", firstMoments[index]))
            tensors.append(("\(name).exp_avg_sq", secondMoments[index]))
        }
        return (tensors, ["step": stepCount])
    }

    public func loadStateDict(tensors: [String: Tensor], counters: [String: Int]) throws {
        guard let step = counters["step"], step >= 0 else {
            throw OptimizerStateError(description: "optimizer state lacks a valid 'step' counter")
        }
        for (index, (name, _)) in parameters.enumerated() {
            try restore(firstMoments[index], named: "\(name).exp_avg", from: tensors)
            try restore(secondMoments[index], named: "\(name).exp_avg_sq", from: tensors)
        }
        stepCount = step
    }
}
