/// The smallest step from a point onto a hyperplane that keeps the point in the box [0, 1]^n: the
/// projection FAB takes each iteration (Croce & Hein 2020, "Minimally distorted adversarial examples with
/// a fast adaptive boundary attack", section 3.1, the box-constrained projection).
///
/// For a point `p`, a normal `w` and an offset `c`, find `d` minimising `||d||_q` subject to `w . d = c`
/// and `0 <= p + d <= 1`. Both norms have a one-parameter solution: let `s = sign(c)` and move each
/// coordinate the way `s * w_i` points, up to its room `r_i` (`1 - p_i` upwards, `p_i` downwards):
/// - L-inf: `d_i = s sign(w_i) min(t, r_i)`, with the smallest `t` such that `sum |w_i| min(t, r_i) = |c|`;
/// - L2: `d_i = clip(mu s w_i, -p_i, 1 - p_i)` (KKT), with the `mu >= 0` that reaches `|c|`.
/// The reachable `|w . d|` is piecewise linear and increasing in `t` (or `mu`) with a kink at each
/// coordinate's saturation, so the parameter is found exactly among the kinks: by partitioning them around
/// pivots (quickselect, expected linear time) rather than sorting them, which cost FAB as much as its
/// gradients. When the hyperplane lies beyond the box, the step goes as far as the box allows (every
/// coordinate saturated).
enum HyperplaneProjection {
    /// Writes into `d` the step from `point` (`count` values) onto `{z : w . (z - point) = c}` within the box.
    /// - Parameters:
    ///   - norm: `.linf` or `.l2` (L0 is treated as L2).
    ///   - scratch: reused between calls to avoid allocation.
    static func step(
        from point: UnsafePointer<Float>, normal w: UnsafePointer<Float>, offset c: Float, count: Int,
        norm: PerturbationNorm, into d: UnsafeMutablePointer<Float>, scratch: inout [(kink: Float, weight: Float)]
    ) {
        for i in 0..<count { d[i] = 0 }
        guard c != 0, c.isFinite else { return }
        let s: Float = c > 0 ? 1 : -1
        // Each moving coordinate's kink (where it saturates; L-inf: t = r_i, L2: mu = r_i / |w_i|) and its
        // weight in `|w . d|` below the kink (L-inf: |w_i|, L2: w_i^2).
        scratch.removeAll(keepingCapacity: true)
        var slope: Float = 0
        for i in 0..<count where w[i] != 0 {
            let room = max(s * w[i] > 0 ? 1 - point[i] : point[i], 0)
            let magnitude = abs(w[i])
            if norm == .linf {
                scratch.append((room, magnitude))
                slope += magnitude
            } else {
                scratch.append((room / magnitude, magnitude * magnitude))
                slope += magnitude * magnitude
            }
        }
        let parameter = scratch.withUnsafeMutableBufferPointer {
            kinkParameter(reaching: abs(c), slope: slope, kinks: $0)
        }
        for i in 0..<count where w[i] != 0 {
            let direction: Float = s * w[i] > 0 ? 1 : -1
            let room = max(direction > 0 ? 1 - point[i] : point[i], 0)
            let move = norm == .linf ? min(parameter, room) : min(parameter * abs(w[i]), room)
            d[i] = direction * move
        }
    }

    /// The smallest `t >= 0` with `sum_i weight_i min(t, kink_i) = goal`, or infinity when even every
    /// coordinate saturated falls short. `slope` is the sum of the weights. Reorders `kinks`.
    ///
    /// Quickselect on the kinks: a pivot splits them into below, equal and above; the function at the
    /// pivot says on which side the answer lies, and the side that is settled is folded into `reached`
    /// (the saturated coordinates' sum) and `slope` (the weights still moving).
    static func kinkParameter(
        reaching goal: Float, slope total: Float, kinks: UnsafeMutableBufferPointer<(kink: Float, weight: Float)>
    ) -> Float {
        var (low, high) = (0, kinks.count)
        var reached: Float = 0
        var slope = total
        // The smallest kink known to lie at or above the answer.
        var bound = Float.infinity
        while low < high {
            let pivot = median(kinks[low].kink, kinks[(low + high) / 2].kink, kinks[high - 1].kink)
            // Three-way partition: [low, less) below the pivot, [less, more) equal, [more, high) above.
            var (less, index, more) = (low, low, high)
            var belowSum: Float = 0
            var belowWeight: Float = 0
            var equalWeight: Float = 0
            while index < more {
                let (kink, weight) = kinks[index]
                if kink < pivot {
                    belowSum += weight * kink
                    belowWeight += weight
                    kinks.swapAt(less, index)
                    less += 1
                    index += 1
                } else if kink > pivot {
                    more -= 1
                    kinks.swapAt(index, more)
                } else {
                    equalWeight += weight
                    index += 1
                }
            }
            if reached + belowSum + pivot * (slope - belowWeight) >= goal {
                bound = pivot
                high = less
            } else {
                reached += belowSum + pivot * equalWeight
                slope -= belowWeight + equalWeight
                low = more
            }
        }
        guard bound.isFinite else { return .infinity }
        slope = max(slope, 0)
        return slope > 0 ? min(max((goal - reached) / slope, 0), bound) : bound
    }

    private static func median(_ a: Float, _ b: Float, _ c: Float) -> Float {
        max(min(a, b), min(max(a, b), c))
    }
}
