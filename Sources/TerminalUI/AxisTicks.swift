import Foundation

/// Tick positions and labels for chart axes: "nice" numbers (1, 2, 5 x 10^k), after Heckbert,
/// "Nice numbers for graph labels", Graphics Gems (1990); powers of ten on log axes.
public enum AxisTicks {
    /// A range widened to nice tick boundaries with the ticks inside it.
    public struct Scale: Sendable, Equatable {
        public var range: ClosedRange<Double>
        public var ticks: [Double]
        public var step: Double
    }

    /// The nice number closest to `value` (rounded) or at least `value` (not rounded).
    static func niceNumber(_ value: Double, round: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let exponent = floor(log10(value))
        let fraction = value / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    /// A linear scale over `low...high` with about `count` ticks.
    public static func linear(low: Double, high: Double, count: Int) -> Scale {
        var lo = low.isFinite ? low : 0
        var hi = high.isFinite ? high : 1
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(lo)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let n = max(2, count)
        let step = niceNumber(niceNumber(hi - lo, round: false) / Double(n - 1), round: true)
        let first = floor(lo / step) * step
        let last = ceil(hi / step) * step
        var ticks: [Double] = []
        var t = first
        while t <= last + step * 0.5 && ticks.count < 100 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return Scale(range: first...last, ticks: ticks, step: step)
    }

    /// A log10 scale: the range in decades (exponents) covering `low...high` (positive values).
    public static func logarithmic(low: Double, high: Double) -> Scale {
        let lo = low > 0 && low.isFinite ? low : 1e-3
        let hi = high > 0 && high.isFinite ? max(high, lo) : max(lo * 10, 1)
        var first = floor(log10(lo))
        var last = ceil(log10(hi))
        if last <= first { last = first + 1 }
        let decades = Int(last - first)
        let step = Double(max(1, decades / 6))
        first = floor(first / step) * step
        var ticks: [Double] = []
        var t = first
        while t <= last + 1e-9 {
            ticks.append(t)
            t += step
        }
        return Scale(range: first...last, ticks: ticks, step: step)
    }

    /// A compact label: integers plainly, small and large values in exponent form, otherwise as few
    /// decimals as the step needs (`step` 0 means choose from the value).
    public static func label(_ value: Double, step: Double = 0) -> String {
        if value == 0 { return "0" }
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            var exponent = Int(floor(log10(magnitude)))
            var mantissa = value / pow(10, Double(exponent))
            let whole = abs(mantissa - mantissa.rounded()) < 0.05
            if whole && abs(mantissa.rounded()) == 10 {
                // 9.97e-4 rounds to 10e-4: that is 1e-3.
                exponent += 1
                mantissa /= 10
            }
            let m = whole ? String(Int(mantissa.rounded())) : String(format: "%.1f", mantissa)
            return "\(m)e\(exponent)"
        }
        let reference = step > 0 ? step : magnitude
        let decimals = max(0, min(4, Int(-floor(log10(reference)))))
        if decimals == 0 && value == value.rounded() { return String(Int(value)) }
        return String(format: "%.\(decimals)f", value)
    }

    /// The label of a decade on a log axis (`1e-3`, `0.1`, `1`, `10`, `1e3`).
    public static func decadeLabel(_ exponent: Double) -> String {
        let e = Int(exponent.rounded())
        switch e {
        case -2: return "0.01"
        case -1: return "0.1"
        case 0: return "1"
        case 1: return "10"
        case 2: return "100"
        default: return "1e\(e)"
        }
    }
}

extension AxisTicks {
    /// `value` with exactly `decimals` decimals.
    public static func formatFixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(max(0, min(9, decimals)))f", value)
    }
}
