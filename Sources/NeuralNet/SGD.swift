import TensorCore

/// Stochastic gradient descent with momentum and weight decay, with PyTorch's semantics:
/// `d = g + wd p; b = mu b + (1 - dampening) d` (b = d on the first step); `p -= lr (nesterov ? d + mu b : b)`.
/// The momentum buffer is stored with subnormal values flushed to zero, as Adam's moments are (a buffer
/// whose gradient stays zero decays into subnormals, which are slow on Intel CPUs).
public final class SGD: Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// Number of steps taken (saved as the `step` counter; PyTorch's SGD state has none, which reads as 0).
    public private(set) var stepCount = 0
    private var buffers: [Tensor?]

    public init(
        parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
        dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0, "learning rate must be non-negative")
        precondition(momentum >= 0 && weightDecay >= 0, "momentum and weight decay must be non-negative")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        stepCount += 1
        for (index, (_, parameter)) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            let n = parameter.count
            let p = parameter.data
            let g = grad.data
            if momentum == 0 {
                for i in 0..<n { p[i] -= learningRate * (g[i] + weightDecay * p[i]) }
                continue
            }
            let isFirst = buffers[index] == nil
            let buffer = buffers[index] ?? Tensor(zeros: parameter.shape)
            buffers[index] = buffer
            let b = buffer.data
            for i in 0..<n {
                let d = g[i] + weightDecay * p[i]
                b[i] = VectorMath.flushingSubnormals(isFirst ? d : momentum * b[i] + (1 - dampening) * d)
                p[i] -= learningRate * (nesterov ? d + momentum * b[i] : b[i])
            }
        }
    }

    public func stateDict() -> (tensors: [(name: String, tensor: Tensor)], counters: [String: Int]) {
        let tensors = zip(parameters, buffers).compactMap { parameter, buffer in
            buffer.map { (name: "\(parameter.name).momentum_buffer", tensor: $0) }
        }
        return (tensors, ["step": stepCount])
    }

    public func loadStateDict(tensors: [String: Tensor], counters: [String: Int]) throws {
        let step = counters["step"] ?? 0
        guard step >= 0 else { throw OptimizerStateError(description: "optimizer state has a negative 'step' counter") }
        for (index, (name, parameter)) in parameters.enumerated() where tensors["\(name).momentum_buffer"] != nil {
            let buffer = Tensor(zeros: parameter.shape)
            try restore(buffer, named: "\(name).momentum_buffer", from: tensors)
            buffers[index] = buffer
        }
        stepCount = step
    }
}
