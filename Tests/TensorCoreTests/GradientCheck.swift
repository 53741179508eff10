import Testing
@testable import TensorCore

/// Central finite-difference gradient check.
///
/// The objective is `sum(f(inputs) * w)` with fixed random weights `w`, so every output element
/// contributes. Differences use step `h` in float32; the tolerance is relative to the gradient's scale.
func checkGradients(
    _ inputs: [Tensor], step h: Float = 1e-2, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) -> Tensor
) {
    var rng = RandomGenerator(seed: 99)
    for input in inputs { input.requiresGrad = true; input.grad = nil }
    let output = f(inputs)
    let weights = Tensor.randomNormal(output.shape, generator: &rng)
    (output * weights).sum().backward()
    func objective() -> Double {
        noGrad {
            let out = f(inputs)
            var s = 0.0
            for i in 0..<out.count { s += Double(out.data[i]) * Double(weights.data[i]) }
            return s
        }
    }
    for (index, input) in inputs.enumerated() {
        let analytic = input.grad?.scalars ?? [Float](repeating: 0, count: input.count)
        var numeric = [Float](repeating: 0, count: input.count)
        for i in 0..<input.count {
            let saved = input.data[i]
            input.data[i] = saved + h
            let plus = objective()
            input.data[i] = saved - h
            let minus = objective()
            input.data[i] = saved
            numeric[i] = Float((plus - minus) / Double(2 * h))
        }
        let scale = max(1, numeric.map { abs($0) }.max() ?? 1)
        let worst = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
        #expect(worst / scale < tolerance, "input \(index): max gradient error \(worst) (scale \(scale))", sourceLocation: sourceLocation)
    }
}

/// A tensor with entries bounded away from zero (so kinks such as relu's are not straddled).
func smoothTensor(_ shape: [Int], seed: UInt64, low: Float = 0.2, high: Float = 1.0) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let t = Tensor(zeros: shape)
    for i in 0..<t.count {
        let magnitude = rng.uniform(low, high)
        t.data[i] = rng.uniform() < 0.5 ? -magnitude : magnitude
    }
    return t
}

func positiveTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.randomUniform(shape, low: 0.5, high: 2.0, generator: &rng)
}
