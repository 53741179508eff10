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
/// coordinate's saturation, so sorting the kinks and walking them finds the parameter exactly. When the
/// hyperplane lies beyond the box, the step goes as far as the box allows (every coordinate saturated).
enum HyperplaneProjection {
    /// Writes into `d` the step from `point` (`count` values) onto `{z : w . (z - point) = c}` within the box.
    /// - Parameters:
    ///   - norm: `.linf` or `.l2` (L0 is treated as L2).
    ///   - scratch: reused between calls to avoid allocation.
    static func step(
        from point: UnsafePointer<Float>, normal w: UnsafePointer<Float>, offset c: Float, count: Int,
        norm: PerturbationNorm, into d: UnsafeMutablePointer<Float>, scratch: inout [(kink: Float, index: Int)]
    ) {
        for i in 0..<count { d[i] = 0 }
        guard c != 0, c.isFinite else { return }
        let s: Float = c > 0 ? 1 : -1
        let goal = abs(c)
        scratch.removeAll(keepingCapacity: true)
        // Each coordinate's kink: where it saturates (L-inf: t = r_i; L2: mu = r_i / |w_i|).
        var slope: Float = 0
        for i in 0..<count where w[i] != 0 {
            let room = s * w[i] > 0 ? 1 - point[i] : point[i]
            let magnitude = abs(w[i])
            if norm == .linf {
                scratch.append((max(room, 0), i))
                slope += magnitude
            } else {
                scratch.append((max(room, 0) / magnitude, i))
                slope += magnitude * magnitude
            }
        }
        scratch.sort { $0.kink < $1.kink }
        // Walk the kinks: `reached` is the contribution of the saturated coordinates, `slope` that of the
        // others per unit of the parameter.
        var reached: Float = 0
        var parameter = Float.infinity
        for (kink, i) in scratch {
            if reached + kink * slope >= goal {
                parameter = slope > 0 ? (goal - reached) / slope : kink
                break
            }
            let magnitude = abs(w[i])
            if norm == .linf {
                reached += magnitude * kink
                slope -= magnitude
            } else {
                reached += magnitude * magnitude * kink
                slope -= magnitude * magnitude
            }
            slope = max(slope, 0)
        }
        for (_, i) in scratch {
            let direction: Float = s * w[i] > 0 ? 1 : -1
            let room = max(direction > 0 ? 1 - point[i] : point[i], 0)
            let move = norm == .linf ? min(parameter, room) : min(parameter * abs(w[i]), room)
            d[i] = direction * move
        }
    }
}
