import Foundation
import Synchronization
import TensorCore

/// Adam (Kingma & Ba 2015) with PyTorch's semantics: L2 weight decay added to the gradient, bias
/// correction, `p -= lr * m_hat / (sqrt(v_hat) + eps)`.
///
/// The moments are stored with subnormal values flushed to zero. A parameter whose gradient is exactly
/// zero step after step (a weight into or out of a dead ReLU unit, or from an always-black pixel) has
/// its first moment multiplied by 0.9 a step: after about 750 steps it is subnormal, and it stays
/// there, since 0.9 times a few units in the last place rounds back to the same value. A fifth of an
/// autoencoder's first moments were subnormal after 2 epochs; on Intel CPUs each operation on one
/// takes a microcode assist of the order of a hundred cycles. The update such a moment would make is
/// below `Float`'s resolution for any parameter that is not itself near zero.
///
/// `step()` notes whether each parameter it writes is finite (`nonFiniteParameter()`), so that training
/// need not read every parameter again after each step (3% of a VAE step on one thread).
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
    /// Whether a step has run, and the index of the first parameter it left non-finite.
    private var hasStepped = false
    private var nonFiniteIndex: Int?

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
        hasStepped = true
        nonFiniteIndex = nil
        for (index, (_, parameter)) in parameters.enumerated() {
            guard let grad = parameter.grad else {
                if nonFiniteIndex == nil && parameter.hasNonFinite { nonFiniteIndex = index }
                continue
            }
            // Large tensors over the compute threads (one thread spent a tenth of a VAE step here).
            let buffers = Buffers(
                p: parameter.data, g: grad.data, m: firstMoments[index].data, v: secondMoments[index].data)
            let (b1, b2, eps, wd) = (beta1, beta2, epsilon, weightDecay)
            let nonFinite = Atomic<Bool>(false)
            ParallelSplit.ranges(count: parameter.count) { range in
                let start = range.lowerBound
                let finite = Adam.update(
                    count: range.count, parameter: buffers.p + start, gradient: buffers.g + start,
                    firstMoment: buffers.m + start, secondMoment: buffers.v + start,
                    beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd,
                    stepSize: stepSize, inverseRootCorrection2: inverseRootCorrection2)
                if !finite { nonFinite.store(true, ordering: .relaxed) }
            }
            if nonFiniteIndex == nil && nonFinite.load(ordering: .relaxed) { nonFiniteIndex = index }
        }
    }

    /// Noted by the last `step()`, while it wrote the parameters; a pass over them before any step.
    public func nonFiniteParameter() -> String? {
        guard hasStepped else { return parameters.first(where: { $0.tensor.hasNonFinite })?.name }
        return nonFiniteIndex.map { parameters[$0].name }
    }

    /// One parameter's buffers, handed to the threads that update disjoint ranges of them.
    private struct Buffers: @unchecked Sendable {
        let p: UnsafeMutablePointer<Float>
        let g: UnsafeMutablePointer<Float>
        let m: UnsafeMutablePointer<Float>
        let v: UnsafeMutablePointer<Float>
    }

    /// The per-element rule, 16 lanes at a time (the scalar loop cost a fifth of an MLP epoch).
    /// - Returns: whether every updated parameter is finite.
    @discardableResult
    static func update(
        count: Int, parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
        beta1 b1: Float, beta2 b2: Float, epsilon eps: Float, weightDecay wd: Float,
        stepSize: Float, inverseRootCorrection2: Float
    ) -> Bool {
        typealias Vector = SIMD16<Float>
        let lanes = Vector.scalarCount
        var i = 0
        let rawP = UnsafeMutableRawPointer(p)
        let rawG = UnsafeRawPointer(g)
        let rawM = UnsafeMutableRawPointer(m)
        let rawV = UnsafeMutableRawPointer(v)
        let stride = MemoryLayout<Float>.stride
        var poison = Vector(repeating: 0)
        while i + lanes <= count {
            let offset = i * stride
            let pv = rawP.loadUnaligned(fromByteOffset: offset, as: Vector.self)
            let gv = rawG.loadUnaligned(fromByteOffset: offset, as: Vector.self) + wd * pv
            let mv = VectorMath.flushingSubnormals(
                b1 * rawM.loadUnaligned(fromByteOffset: offset, as: Vector.self) + (1 - b1) * gv)
            let vv = VectorMath.flushingSubnormals(
                b2 * rawV.loadUnaligned(fromByteOffset: offset, as: Vector.self) + (1 - b2) * gv * gv)
            rawM.storeBytes(of: mv, toByteOffset: offset, as: Vector.self)
            rawV.storeBytes(of: vv, toByteOffset: offset, as: Vector.self)
            let denominator = VectorMath.squareRoot(vv) * inverseRootCorrection2 + eps
            let updated = pv - stepSize * mv / denominator
            rawP.storeBytes(of: updated, toByteOffset: offset, as: Vector.self)
            // NaN exactly where a lane is NaN or infinite (as `ElementwiseKernels.hasNonFinite`).
            poison += updated * 0
            i += lanes
        }
        var finite = true
        while i < count {
            let gi = g[i] + wd * p[i]
            m[i] = VectorMath.flushingSubnormals(b1 * m[i] + (1 - b1) * gi)
            v[i] = VectorMath.flushingSubnormals(b2 * v[i] + (1 - b2) * gi * gi)
            p[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseRootCorrection2 + eps)
            finite = finite && p[i].isFinite
            i += 1
        }
        return finite && !poison.sum().isNaN
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
