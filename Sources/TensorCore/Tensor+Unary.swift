import Foundation

/// Differentiable elementwise functions: exp, log, sqrt, pow, abs, sign, clamp.
extension Tensor {
    /// Applies `function` elementwise; the gradient is `g * derivative(x, y)` with y the output.
    @inline(__always)
    public func mapped(
        _ function: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float
    ) -> Tensor {
        let out = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count))
        let p = data
        let q = out.data
        for i in 0..<count { q[i] = function(p[i]) }
        return Tensor.record(out, inputs: [self]) { [self] g, output in
            let grad = Tensor(shape: self.shape, storage: TensorStorage(uninitializedCount: self.count))
            let x = self.data
            let y = output.data
            let gp = g.data
            let r = grad.data
            for i in 0..<self.count { r[i] = gp[i] * derivative(x[i], y[i]) }
            return [grad]
        }
    }

    public func exp() -> Tensor { mapped({ Foundation.exp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { mapped({ Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { mapped({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    public func squared() -> Tensor { mapped({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
    public func abs() -> Tensor {
        mapped({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }
    /// The sign (-1, 0, 1); its gradient is zero almost everywhere.
    public func sign() -> Tensor {
        mapped({ $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, derivative: { _, _ in 0 })
    }
    /// self ** exponent.
    public func pow(_ exponent: Float) -> Tensor {
        mapped({ Foundation.pow($0, exponent) }, derivative: { x, _ in exponent * Foundation.pow(x, exponent - 1) })
    }
    /// Clamps into [low, high]; the gradient passes where the input lies inside, the bounds included
    /// (as PyTorch's `clamp`), and is zero outside.
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        mapped({ Swift.min(Swift.max($0, low), high) }, derivative: { x, _ in (x >= low && x <= high) ? 1 : 0 })
    }
}
