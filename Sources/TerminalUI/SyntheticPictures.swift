import Foundation

/// Procedural pictures for the widget gallery and the benchmark: digit-like strokes and smooth
/// signed fields. Deterministic; no data files.
enum SyntheticPictures {
    /// Seven-segment stroke endpoints (in a unit box) of each digit.
    private static let segments: [[(Double, Double, Double, Double)]] = {
        let a = (0.25, 0.15, 0.75, 0.15)
        let b = (0.75, 0.15, 0.75, 0.5)
        let c = (0.75, 0.5, 0.75, 0.85)
        let d = (0.25, 0.85, 0.75, 0.85)
        let e = (0.25, 0.5, 0.25, 0.85)
        let f = (0.25, 0.15, 0.25, 0.5)
        let g = (0.25, 0.5, 0.75, 0.5)
        return [
            [a, b, c, d, e, f], [b, c], [a, b, g, e, d], [a, b, g, c, d], [f, g, b, c], [a, f, g, c, d],
            [a, f, g, e, c, d], [a, b, c], [a, b, c, d, e, f, g], [a, b, c, d, f, g],
        ]
    }()

    /// A `size` x `size` grayscale digit (0-9) drawn as soft strokes, slanted by `slant` and
    /// shifted by `wobble` pixels (for animation). Values in 0...1.
    static func digitLike(_ digit: Int, size: Int, slant: Double = 0.15, wobble: Double = 0)
        -> [Float]
    {
        let strokes = segments[((digit % 10) + 10) % 10]
        var pixels = [Float](repeating: 0, count: size * size)
        let thickness = 0.07
        for y in 0..<size {
            for x in 0..<size {
                let v = (Double(y) + 0.5) / Double(size)
                let u = (Double(x) + 0.5) / Double(size) + slant * (v - 0.5) - wobble / Double(size)
                var best = Double.infinity
                for (x0, y0, x1, y1) in strokes {
                    let dx = x1 - x0
                    let dy = y1 - y0
                    let t = max(0, min(1, ((u - x0) * dx + (v - y0) * dy) / max(1e-9, dx * dx + dy * dy)))
                    let px = x0 + t * dx - u
                    let py = y0 + t * dy - v
                    best = min(best, (px * px + py * py).squareRoot())
                }
                let ink = max(0, min(1, 1.5 - best / thickness))
                pixels[y * size + x] = Float(ink)
            }
        }
        return pixels
    }

    /// A smooth signed field in about -1...1 (a perturbation-like pattern), changing with `phase`.
    static func signedField(width: Int, height: Int, phase: Double) -> [Float] {
        var values = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(max(1, width - 1)) * 2 * Double.pi
                let v = Double(y) / Double(max(1, height - 1)) * 2 * Double.pi
                let s = sin(2 * u + phase) * cos(v - 0.5 * phase) * 0.8 + 0.2 * sin(5 * (u + v) + phase)
                values[y * width + x] = Float(s)
            }
        }
        return values
    }
}
