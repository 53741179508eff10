import Base

/// A one-cycle triangular learning rate (Smith 2017, "Cyclical learning rates for training neural
/// networks"), as fast adversarial training uses it (Wong, Rice & Kolter 2020, "Fast is better than
/// free", `lr_schedule = interp(t, [0, 2/5 epochs, epochs], [0, lr_max, 0])`): it rises linearly from 0
/// to `peak` over the first `peakFraction` of the run's steps and falls linearly back to 0 at the end.
///
/// Step `s` (0-based, before the update) uses the rate at `t = (s + 1) / totalSteps`, as Wong et al.
/// set it from `epoch + (i + 1) / batches` before each batch; so the last update has rate 0. Their
/// peak is at `epochs * 2 // 5` whole epochs; here it is at exactly 2/5 of the steps (the same for
/// their 10 epochs, and still a cycle for a 1-epoch run, where theirs would start at the peak).
public struct CyclicLearningRate: Sendable, Equatable {
    /// The highest rate, reached at `peakFraction` of the run.
    public let peak: Float
    /// Updates in the whole cycle (epochs times batches per epoch).
    public let totalSteps: Int
    /// Where the peak is, as a fraction of the run.
    public let peakFraction: Double

    public init(peak: Float, totalSteps: Int, peakFraction: Double = 0.4) {
        precondition(peak > 0 && totalSteps >= 1 && peakFraction > 0 && peakFraction < 1, "bad cyclic schedule")
        self.peak = peak
        self.totalSteps = totalSteps
        self.peakFraction = peakFraction
    }

    /// The rate of the update after `step` updates (0-based); 0 past the cycle's end.
    public func rate(step: Int) -> Float {
        let t = Double(step + 1) / Double(totalSteps)
        let factor = t <= peakFraction ? t / peakFraction : max(0, (1 - t) / (1 - peakFraction))
        return Float(Double(peak) * factor)
    }

    /// What `config.json` records.
    public func description(epochs: Int) -> JSONValue {
        .object([
            "kind": .string("triangular one-cycle (Wong et al. 2020)"),
            "peak_lr": .number(Double("\(peak)") ?? Double(peak)),
            "peak_fraction": .number(peakFraction), "epochs": .integer(epochs), "total_steps": .integer(totalSteps),
        ])
    }
}
