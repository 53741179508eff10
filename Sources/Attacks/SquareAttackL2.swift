import Foundation
import TensorCore

/// The L2 Square Attack's candidates (Andriushchenko, Croce, Flammarion & Hein 2020, "Square Attack: a
/// query-efficient black-box adversarial attack via random search", Algorithm 3; the `norm='L2'` branch of
/// AutoAttack's `square.py`, which torchattacks' `Square` shares). The search itself (margin loss, keeping
/// a candidate only if it lowers the margin, query counting, early stop) is `SquareSearchRun`'s.
///
/// - Iteration 0: the image is tiled with a centred grid of `b x b` blocks, `b = max(1, side / 5)` (5 x 5
///   blocks of 5 x 5 pixels on a 28 x 28 image), each a pseudo-Gaussian block (`pseudoGaussianBlock`,
///   randomly transposed) times a random sign; the sum is rescaled to `||delta||_2 = eps` and `x + delta`
///   clipped to [0, 1].
/// - Each later iteration, for every image not yet fooled, with `delta = best - x` (the clipped
///   perturbation of its best candidate): two random `s x s` windows W1 and W2. W1 receives the mass of
///   `delta` on the union of the two, `||delta_{W1 u W2}||^2`, plus the budget left unused (by clipping),
///   `max(eps^2 - ||delta||^2, 0)`: its new content is a fresh pseudo-Gaussian block with a random sign
///   plus W1's old direction `delta_W1 / ||delta_W1||`, scaled to that mass; the rest of W2 is set to 0.
///   So `||delta||_2 = eps` again; `delta` is rescaled to exactly eps (a no-op up to round-off) and
///   `x + delta` clipped to [0, 1]: the candidate lies in the L2 ball and in [0, 1].
///   `s = max(3, round(sqrt(p * pixels)))`, plus one if even, at most the image side, with `p` from
///   `SquareAttack.fraction`.
final class SquareL2Run: SquareSearchRun {
    /// The window side at this iteration (after iteration 0).
    var windowSide: Int {
        var s = max(Int((fraction * Float(oracle.pixelCount)).squareRoot().rounded()), 3)
        if s % 2 == 0 { s += 1 }
        return min(s, side.height, side.width)
    }

    override func candidates(for active: [Int]) -> [Float] {
        let pixels = oracle.pixelCount
        var batch = [Float](repeating: 0, count: active.count * pixels)
        var delta = [Double](repeating: 0, count: pixels)
        if iteration == 0 {
            let b = max(min(side.height, side.width) / 5, 1)
            let grid = (rows: side.height / b, columns: side.width / b)
            let origin = ((side.height - grid.rows * b) / 2, (side.width - grid.columns * b) / 2)
            let block = Self.pseudoGaussianBlock(side: b)
            for (slot, image) in active.enumerated() {
                for p in 0..<pixels { delta[p] = 0 }
                for row in 0..<grid.rows {
                    for column in 0..<grid.columns {
                        let transposed = generators[image].uniform() < 0.5
                        let sign: Double = generators[image].uniform() < 0.5 ? -1 : 1
                        for i in 0..<b {
                            for j in 0..<b {
                                let p = (origin.0 + row * b + i) * side.width + origin.1 + column * b + j
                                delta[p] = sign * block[transposed ? j * b + i : i * b + j]
                            }
                        }
                    }
                }
                write(delta, image: image, slot: slot, into: &batch)
            }
            return batch
        }
        let s = windowSide
        let block = Self.pseudoGaussianBlock(side: s)
        let x = clean.data
        let best = adversarial.data
        let eps = Double(epsilon)
        var window = [Double](repeating: 0, count: s * s)
        for (slot, image) in active.enumerated() {
            let base = image * pixels
            var total = 0.0
            for p in 0..<pixels {
                delta[p] = Double(best[base + p]) - Double(x[base + p])
                total += delta[p] * delta[p]
            }
            let first = (
                top: generators[image].index(below: side.height - s + 1),
                left: generators[image].index(below: side.width - s + 1)
            )
            let second = (
                top: generators[image].index(below: side.height - s + 1),
                left: generators[image].index(below: side.width - s + 1)
            )
            let transposed = generators[image].uniform() < 0.5
            let sign: Double = generators[image].uniform() < 0.5 ? -1 : 1
            // The mass of delta on W1, and on the union of W1 and W2.
            var inFirst = 0.0
            for i in 0..<s {
                for j in 0..<s {
                    let d = delta[(first.top + i) * side.width + first.left + j]
                    inFirst += d * d
                }
            }
            var inUnion = inFirst
            for r in second.top..<(second.top + s) {
                for c in second.left..<(second.left + s)
                where !(first.top..<(first.top + s)).contains(r) || !(first.left..<(first.left + s)).contains(c) {
                    inUnion += delta[r * side.width + c] * delta[r * side.width + c]
                }
            }
            // W1's new content: a fresh block plus W1's old direction, scaled to the union's mass plus the
            // unused budget.
            let oldNorm = inFirst.squareRoot() + 1e-12
            var windowSquared = 0.0
            for i in 0..<s {
                for j in 0..<s {
                    let fresh = sign * block[transposed ? j * s + i : i * s + j]
                    let value = fresh + delta[(first.top + i) * side.width + first.left + j] / oldNorm
                    window[i * s + j] = value
                    windowSquared += value * value
                }
            }
            let scale = (max(eps * eps - total, 0) + inUnion).squareRoot() / (windowSquared.squareRoot() + 1e-12)
            for r in second.top..<(second.top + s) {
                for c in second.left..<(second.left + s) { delta[r * side.width + c] = 0 }
            }
            for i in 0..<s {
                for j in 0..<s { delta[(first.top + i) * side.width + first.left + j] = window[i * s + j] * scale }
            }
            write(delta, image: image, slot: slot, into: &batch)
        }
        return batch
    }

    /// Writes `clip_[0,1](x + eps * delta / ||delta||_2)` for image `image` into row `slot` of `batch`.
    private func write(_ delta: [Double], image: Int, slot: Int, into batch: inout [Float]) {
        let pixels = oracle.pixelCount
        let x = clean.data + image * pixels
        var squared = 0.0
        for d in delta { squared += d * d }
        let factor = Double(epsilon) / (squared.squareRoot() + 1e-12)
        for p in 0..<pixels { batch[slot * pixels + p] = Float(min(max(Double(x[p]) + delta[p] * factor, 0), 1)) }
    }

    /// AutoAttack's `eta_rectangles`: a `rows x columns` block of unit L2 norm that peaks at the centre
    /// `(rows / 2, columns / 2)` and falls off in nested rectangles: the sum of `1 / (k + 1)^2` over the
    /// rectangles `k = 0, 1, ..., max(rows / 2, columns / 2)` around the centre (Chebyshev radius k) that
    /// hold the pixel. Row-major; empty when a side is 0.
    static func rectangleBlock(rows: Int, columns: Int) -> [Double] {
        guard rows > 0, columns > 0 else { return [] }
        let centre = (rows / 2, columns / 2)
        let levels = max(centre.0, centre.1) + 1
        // tail[d]: the sum over the rectangles of radius d and more.
        var tail = [Double](repeating: 0, count: levels + 1)
        for k in stride(from: levels - 1, through: 0, by: -1) { tail[k] = tail[k + 1] + 1 / Double((k + 1) * (k + 1)) }
        var block = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns { block[i * columns + j] = tail[max(abs(i - centre.0), abs(j - centre.1))] }
        }
        return normalised(block)
    }

    /// AutoAttack's `eta` (the paper's meta pseudo-Gaussian perturbation): an `s x s` block of unit L2 norm,
    /// the top `s / 2` rows a `rectangleBlock` and the other rows minus one. Row-major; the caller
    /// transposes it at random.
    static func pseudoGaussianBlock(side s: Int) -> [Double] {
        let top = s / 2
        let upper = rectangleBlock(rows: top, columns: s)
        let lower = rectangleBlock(rows: s - top, columns: s)
        return normalised(upper + lower.map { -$0 })
    }

    private static func normalised(_ values: [Double]) -> [Double] {
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? values.map { $0 / norm } : values
    }
}
