import TensorCore

/// A sampler as a step machine: each `step()` advances the chain by one update, and between steps the
/// state is open for display (the TUI steps through it; the CLI runs it to the end).
///
/// Per step it exposes the current iterate `x` (`x_t` for diffusion, the Langevin state), the predicted
/// clean image `predictedX0` (diffusion's `x_0_hat`; the denoiser's output for Langevin), the noise
/// level and the norm of the score or predicted noise used by the step.
public protocol Sampler: AnyObject {
    /// Does one update. - Throws: `ModelFault` when the chain diverges (non-finite or exploding values).
    func step() throws
    /// True once every step has been taken.
    var isFinished: Bool { get }
    /// Steps taken and planned.
    var progress: (done: Int, total: Int) { get }
    /// The current iterate `[n, pixels]` in the model's space.
    var x: Tensor { get }
    /// The clean image the model predicts from the current iterate, `[n, pixels]`, model space.
    var predictedX0: Tensor? { get }
    /// Noise level of the current step: `sigma` (Langevin), `sqrt(1 - alphaBar_t)` (diffusion).
    var noiseLevel: Double { get }
    /// Mean over samples of the L2 norm of the score (Langevin) or predicted noise (diffusion) at the
    /// last step.
    var scoreNorm: Double { get }
    /// The samples as images in [0, 1], `[n, pixels]` (after the last step: the final samples).
    var images: Tensor { get }
}

extension Sampler {
    /// Runs the remaining steps; `observe` sees the sampler after each one.
    public func run(observe: (Self) -> Void = { _ in }) throws {
        while !isFinished {
            try step()
            observe(self)
        }
    }
}

/// Helpers shared by the samplers.
enum SamplerMath {
    /// Mean over rows of the rows' L2 norms.
    static func meanRowNorm(_ t: Tensor) -> Double {
        let rows = t.shape[0]
        guard rows > 0 else { return 0 }
        let width = t.count / rows
        var total = 0.0
        for r in 0..<rows {
            let row = t.data + r * width
            var sums = SIMD16<Float>()
            var j = 0
            while j + 16 <= width {
                let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                sums += v * v
                j += 16
            }
            var s = Double(sums.sum())
            while j < width {
                s += Double(row[j]) * Double(row[j])
                j += 1
            }
            total += s.squareRoot()
        }
        return total / Double(rows)
    }

    /// Throws when `t` holds NaN/Inf or values beyond `limit` in magnitude.
    static func checkBounded(_ t: Tensor, limit: Float = 1e6, _ message: @autoclosure () -> String) throws {
        for i in 0..<t.count {
            let v = t.data[i]
            if !v.isFinite || Swift.abs(v) > limit { throw ModelFault(message()) }
        }
    }

    /// Clamped copy in [low, high].
    static func clamped(_ t: Tensor, _ low: Float, _ high: Float) -> Tensor {
        let out = Tensor(zeros: t.shape)
        for i in 0..<t.count { out.data[i] = min(max(t.data[i], low), high) }
        return out
    }

    /// Diffusion space [-1, 1] to images in [0, 1].
    static func toImages(_ t: Tensor) -> Tensor {
        let out = Tensor(zeros: t.shape)
        for i in 0..<t.count { out.data[i] = min(max((t.data[i] + 1) / 2, 0), 1) }
        return out
    }
}
