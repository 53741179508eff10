import TensorCore

/// Ancestral sampling from a latent-variable model: `z ~ p(z)`, `x = decoder(z)` (MATH.md section 6,
/// "generating data"), or a decoded straight-line walk between two codes. One step: the decode.
public final class PriorSampler: Sampler {
    /// The latent points `[n, K]`.
    public let codes: Tensor
    private let decode: (Tensor) -> Tensor
    private var decoded: Tensor?

    /// - Parameters: codes `[n, K]` (prior samples or an interpolation); decode maps codes to images in [0, 1].
    public init(codes: Tensor, decode: @escaping (Tensor) -> Tensor) {
        self.codes = codes
        self.decode = decode
    }

    /// `n` codes from `prior`.
    public convenience init(
        prior: LatentPrior, count: Int, latent: Int, generator: inout RandomGenerator,
        decode: @escaping (Tensor) -> Tensor
    ) {
        self.init(codes: prior.sample(count: count, dimension: latent, generator: &generator), decode: decode)
    }

    /// `count` codes evenly spaced on the segment from `a` to `b` (each `[K]`), ends included.
    public static func interpolation(from a: [Float], to b: [Float], count: Int) -> Tensor {
        precondition(a.count == b.count && count >= 2, "interpolation needs two codes of one size and >= 2 points")
        let out = Tensor(zeros: [count, a.count])
        for i in 0..<count {
            let s = Float(i) / Float(count - 1)
            for j in 0..<a.count { out.data[i * a.count + j] = (1 - s) * a[j] + s * b[j] }
        }
        return out
    }

    public func step() throws {
        precondition(decoded == nil, "step() after the last step")
        let out = noGrad { decode(codes) }
        try SamplerMath.checkBounded(out, "decoded samples are not finite")
        decoded = out
    }

    public var isFinished: Bool { decoded != nil }
    public var progress: (done: Int, total: Int) { (decoded == nil ? 0 : 1, 1) }
    public var x: Tensor { decoded ?? codes }
    public var predictedX0: Tensor? { decoded }
    public var noiseLevel: Double { 0 }
    public var scoreNorm: Double { 0 }
    public var images: Tensor { decoded ?? Tensor(zeros: [codes.shape[0], 0]) }
}
