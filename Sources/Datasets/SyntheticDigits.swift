import Dispatch
import TensorCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Procedural handwritten-looking digits 0-9, 28x28, rendered from a seed: the embedded default dataset,
/// so the app and the tests need no download.
///
/// Each digit is a few pen strokes (line segments, elliptic arcs, cubic Bézier curves) drawn from one of
/// a few shape variants per class (an open or closed 4, a 7 with or without a bar, ...). Every control
/// point is jittered, the whole digit gets a random affine transform (rotation ±15°, scale, shear,
/// translation), a random pen thickness that varies per stroke, anti-aliased rasterization and a light
/// blur. Image `i` depends only on `(seed, split, i)`, so the result does not depend on the number of
/// threads that rendered it.
public enum SyntheticDigits {
    /// The side of every image in pixels.
    public static let size = 28

    /// Renders a training and a test set of random digits with pixels in [0, 1].
    /// - Parameters:
    ///   - trainCount: training examples (default 20,000).
    ///   - testCount: test examples (default 4,000); drawn from a separate stream of the same seed.
    ///   - seed: the seed; equal seeds give identical datasets.
    /// - Returns: a dataset named "synthetic" with class names "0" ... "9".
    public static func make(trainCount: Int = 20_000, testCount: Int = 4_000, seed: UInt64 = 0) -> Dataset {
        let (trainImages, trainLabels) = render(count: trainCount, seed: seed, stream: 1)
        let (testImages, testLabels) = render(count: testCount, seed: seed, stream: 2)
        return Dataset(
            name: "synthetic", classNames: (0..<10).map(String.init), imageHeight: size, imageWidth: size,
            trainImages: trainImages, trainLabels: trainLabels, testImages: testImages, testLabels: testLabels)
    }

    /// Renders `count` labelled digits of one split; `chunkCount` only changes how the work is divided.
    static func render(count: Int, seed: UInt64, stream: UInt64, chunkCount: Int? = nil) -> ([Float], [Int]) {
        let pixels = size * size
        var images = [Float](repeating: 0, count: count * pixels)
        var labels = [Int](repeating: 0, count: count)
        let chunks = max(1, min(count, chunkCount ?? 64))
        images.withUnsafeMutableBufferPointer { imageBuffer in
            labels.withUnsafeMutableBufferPointer { labelBuffer in
                // Chunks write disjoint ranges of the two buffers, so sharing them across threads is safe.
                let shared = SharedBuffers(images: imageBuffer, labels: labelBuffer)
                let work: @Sendable (Int) -> Void = { chunk in
                    let start = count * chunk / chunks
                    let end = count * (chunk + 1) / chunks
                    for index in start..<end {
                        var generator = RandomGenerator(seed: mixSeed(seed, stream, UInt64(index)))
                        let digit = generator.index(below: 10)
                        shared.labels[index] = digit
                        draw(digit: digit, generator: &generator, into: shared.images.baseAddress! + index * pixels)
                    }
                }
                if count >= 64 {
                    DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
                } else {
                    for chunk in 0..<chunks { work(chunk) }
                }
            }
        }
        return (images, labels)
    }

    /// Renders one image of `digit` (0-9) with randomness from `generator`: 784 pixels in [0, 1].
    public static func render(digit: Int, generator: inout RandomGenerator) -> [Float] {
        precondition((0...9).contains(digit), "digit must be in 0...9")
        var image = [Float](repeating: 0, count: size * size)
        image.withUnsafeMutableBufferPointer { draw(digit: digit, generator: &generator, into: $0.baseAddress!) }
        return image
    }

    /// A well-spread seed for image `index` of `stream` under `seed` (SplitMix64 finalizer, chained).
    static func mixSeed(_ seed: UInt64, _ stream: UInt64, _ index: UInt64) -> UInt64 {
        func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(seed ^ mix(stream ^ mix(index)))
    }

    /// Draws `digit` into the zeroed 28x28 buffer at `pixels`.
    static func draw(digit: Int, generator: inout RandomGenerator, into pixels: UnsafeMutablePointer<Float>) {
        var pen = Pen(generator: generator)
        DigitShapes.strokes(for: digit, pen: &pen)
        let strokes = pen.strokes
        var g = pen.generator

        // Random affine transform about the image centre: rotation, shear and scale, then translation.
        let angle = g.uniform(-15, 15) * Float.pi / 180
        let shear = g.uniform(-0.3, 0.3)
        let scaleX = g.uniform(0.75, 1.12)
        let scaleY = g.uniform(0.85, 1.08)
        let c = cos(angle)
        let s = sin(angle)
        let extent: Float = 19.5  // template [0, 1] spans this many pixels before scaling
        // M = R * Shear * S
        let m00 = c * scaleX
        let m01 = (c * shear - s) * scaleY
        let m10 = s * scaleX
        let m11 = (s * shear + c) * scaleY
        let tx = 14 + g.uniform(-1.5, 1.5)
        let ty = 14 + g.uniform(-1.5, 1.5)
        let radius = g.uniform(0.85, 1.9)
        let intensity = g.uniform(0.85, 1.0)

        for stroke in strokes {
            let r = radius * stroke.thickness
            var previous: (Float, Float)? = nil
            for point in stroke.points {
                let u = (point.0 - 0.5) * extent
                let v = (point.1 - 0.5) * extent
                let p = (m00 * u + m01 * v + tx, m10 * u + m11 * v + ty)
                if let a = previous { stamp(a, p, radius: r, into: pixels) }
                previous = p
            }
        }
        blur(pixels, weight: g.uniform(0.12, 0.4))
        // Rescale so the darkest stroke reaches `intensity`, as scanned ink does.
        var peak: Float = 0
        for i in 0..<(size * size) { peak = max(peak, pixels[i]) }
        if peak > 0 {
            let scale = intensity / peak
            for i in 0..<(size * size) { pixels[i] = min(max(pixels[i] * scale, 0), 1) }
        }
    }

    /// Draws the segment a-b as an anti-aliased capsule of `radius` pixels (max-combined).
    static func stamp(_ a: (Float, Float), _ b: (Float, Float), radius: Float, into pixels: UnsafeMutablePointer<Float>)
    {
        let reach = radius + 1
        let x0 = max(0, Int((min(a.0, b.0) - reach).rounded(.down)))
        let x1 = min(size - 1, Int((max(a.0, b.0) + reach).rounded(.up)))
        let y0 = max(0, Int((min(a.1, b.1) - reach).rounded(.down)))
        let y1 = min(size - 1, Int((max(a.1, b.1) + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let dx = b.0 - a.0
        let dy = b.1 - a.1
        let lengthSquared = dx * dx + dy * dy
        let inverse = lengthSquared > 1e-12 ? 1 / lengthSquared : 0
        for y in y0...y1 {
            let py = Float(y) + 0.5
            for x in x0...x1 {
                let px = Float(x) + 0.5
                let t = min(max(((px - a.0) * dx + (py - a.1) * dy) * inverse, 0), 1)
                let ex = px - (a.0 + t * dx)
                let ey = py - (a.1 + t * dy)
                let coverage = min(max(radius + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1)
                let i = y * size + x
                if coverage > pixels[i] { pixels[i] = coverage }
            }
        }
    }

    /// A separable 3-tap blur `[w, 1, w] / (1 + 2w)`, zero outside the image.
    static func blur(_ pixels: UnsafeMutablePointer<Float>, weight: Float) {
        let n = size
        let norm = 1 / (1 + 2 * weight)
        var temporary = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let left = x > 0 ? pixels[y * n + x - 1] : 0
                let right = x < n - 1 ? pixels[y * n + x + 1] : 0
                temporary[y * n + x] = (pixels[y * n + x] + weight * (left + right)) * norm
            }
        }
        for y in 0..<n {
            for x in 0..<n {
                let up = y > 0 ? temporary[(y - 1) * n + x] : 0
                let down = y < n - 1 ? temporary[(y + 1) * n + x] : 0
                pixels[y * n + x] = (temporary[y * n + x] + weight * (up + down)) * norm
            }
        }
    }
}

/// The two output buffers of `render`, shared by the worker threads.
///
/// `@unchecked Sendable` because each chunk writes only its own index range.
private struct SharedBuffers: @unchecked Sendable {
    let images: UnsafeMutableBufferPointer<Float>
    let labels: UnsafeMutableBufferPointer<Int>
}

/// One pen stroke: a polyline in template coordinates ([0, 1] box, y down) and a thickness factor.
struct Stroke {
    var points: [(Float, Float)]
    var thickness: Float
}

/// Collects strokes with jittered control points.
struct Pen {
    var generator: RandomGenerator
    var strokes: [Stroke] = []
    /// Standard deviation of control-point jitter, in template units.
    var jitter: Float = 0.03

    init(generator: RandomGenerator) {
        self.generator = generator
    }

    /// `point` moved by Gaussian jitter.
    mutating func j(_ x: Float, _ y: Float) -> (Float, Float) {
        (x + jitter * generator.gaussian(), y + jitter * generator.gaussian())
    }

    /// `value` scaled by a random factor in `1 ± spread`.
    mutating func vary(_ value: Float, _ spread: Float = 0.1) -> Float {
        value * generator.uniform(1 - spread, 1 + spread)
    }

    /// A random choice among `weights.count` variants with the given relative weights.
    mutating func variant(_ weights: [Float]) -> Int {
        var r = generator.uniform() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }

    mutating func add(_ points: [(Float, Float)]) {
        strokes.append(Stroke(points: points, thickness: generator.uniform(0.85, 1.15)))
    }

    /// A polyline through `points`.
    mutating func line(_ points: (Float, Float)...) {
        add(points)
    }

    /// Points of the elliptic arc around `center` with radii `rx`, `ry` from `from` to `to` degrees
    /// (0 = right, 90 = down, as y grows downward).
    func arcPoints(_ center: (Float, Float), _ rx: Float, _ ry: Float, from: Float, to: Float) -> [(Float, Float)] {
        let steps = max(4, Int(abs(to - from) / 12))
        return (0...steps).map { k in
            let theta = (from + (to - from) * Float(k) / Float(steps)) * Float.pi / 180
            return (center.0 + rx * cos(theta), center.1 + ry * sin(theta))
        }
    }

    mutating func arc(_ center: (Float, Float), _ rx: Float, _ ry: Float, from: Float, to: Float) {
        add(arcPoints(center, rx, ry, from: from, to: to))
    }

    /// Points of the cubic Bézier curve p0-p1-p2-p3.
    func bezierPoints(_ p0: (Float, Float), _ p1: (Float, Float), _ p2: (Float, Float), _ p3: (Float, Float))
        -> [(Float, Float)]
    {
        (0...14).map { k in
            let t = Float(k) / 14
            let s = 1 - t
            let a = s * s * s
            let b = 3 * s * s * t
            let c = 3 * s * t * t
            let d = t * t * t
            return (a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0, a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1)
        }
    }

    mutating func bezier(_ p0: (Float, Float), _ p1: (Float, Float), _ p2: (Float, Float), _ p3: (Float, Float)) {
        add(bezierPoints(p0, p1, p2, p3))
    }
}
