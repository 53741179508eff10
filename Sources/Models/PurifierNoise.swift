import TensorCore

/// Where a purifier's random draws come from.
///
/// - `init(_ generator:)`: one generator for the whole batch, its rows drawn in turn. An attack's
///   purification layer uses it (`--randomness fixed` repeats it at every call), so an image's noise
///   depends on the batch it is purified in.
/// - `init(seed:images:)`: one generator per image, seeded by `seed` and the image's own pixels
///   (`RandomGenerator.imageSeed`), so an image is purified with the same noise whichever batch, position
///   or subset it is in: `defend purify`'s figures do not move with `--batch`.
public struct PurifierNoise {
    private var generators: [RandomGenerator]
    private let perImage: Bool

    /// Every draw from `generator`, in turn.
    public init(_ generator: RandomGenerator) {
        generators = [generator]
        perImage = false
    }

    /// One generator per row of `images` `[n, pixels]`, seeded by `seed` and the row's pixels.
    public init(seed: UInt64, images: Tensor) {
        generators = RandomGenerator.perImage(seed, images: images.data, rows: images.shape[0], pixels: images.shape[1])
        perImage = true
    }

    private init(rowGenerators: [RandomGenerator]) {
        generators = rowGenerators
        perImage = true
    }

    /// The batch generator after the draws so far; nil for per-image draws.
    public var generator: RandomGenerator? { perImage ? nil : generators[0] }

    /// Standard normal draws of `shape` (`[rows, ...]`, as `Tensor.randomNormal`): in turn from the batch
    /// generator, or row r from image r's generator.
    public mutating func normal(_ shape: [Int]) -> Tensor {
        guard perImage else { return Tensor.randomNormal(shape, generator: &generators[0]) }
        precondition(shape[0] == generators.count, "\(shape[0]) rows of noise for \(generators.count) images")
        let result = Tensor(zeros: shape)
        let width = shape.dropFirst().reduce(1, *)
        let p = result.data
        for row in 0..<shape[0] {
            for i in 0..<width { p[row * width + i] = generators[row].gaussian() }
        }
        return result
    }

    /// `blocks` blocks of `rows x columns` fast Gaussian draws (`RandomGenerator.fillGaussian`) at `out`:
    /// in one go from the batch generator, or row r of every block from image r's generator.
    public mutating func fillGaussian(_ out: UnsafeMutablePointer<Float>, blocks: Int, rows: Int, columns: Int) {
        guard perImage else {
            generators[0].fillGaussian(out, count: blocks * rows * columns)
            return
        }
        precondition(rows == generators.count, "\(rows) rows of noise for \(generators.count) images")
        for block in 0..<blocks {
            for row in 0..<rows { generators[row].fillGaussian(out + (block * rows + row) * columns, count: columns) }
        }
    }

    /// Runs `body` with the draws for rows `range` of the batch (a chunk of it): the batch generator itself,
    /// or those images' generators; the draws `body` makes are kept.
    public mutating func rows<T>(_ range: Range<Int>, _ body: (inout PurifierNoise) -> T) -> T {
        guard perImage else { return body(&self) }
        var part = PurifierNoise(rowGenerators: Array(generators[range]))
        let result = body(&part)
        generators.replaceSubrange(range, with: part.generators)
        return result
    }
}
