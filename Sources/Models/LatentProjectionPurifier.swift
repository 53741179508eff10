import Foundation
import TensorCore

/// Defense-GAN's projection onto a generator's range (Samangouei, Kabkab & Chellappa 2018) with an AE's or
/// a VAE's decoder `G`: from `restarts` starting codes (the encoder's code of the input, then draws from
/// N(0, I)), `steps` Adam steps on `||G(z) - x||^2` per code, and per image the closest reconstruction.
///
/// Differentiating through the search would need second derivatives, which the autograd does not take.
/// Inside a recording scope the result is `G(E(x) + (z* - E(x)))` with the search's displacement
/// `z* - E(x)` held constant: gradients flow through the encoder and the decoder (a straight-through
/// estimate of the search, the strongest gradient this purifier has; the `full` adaptive attack uses it).
public final class LatentProjectionPurifier: Purifier {
    public let latentCount: Int
    public let pixelCount: Int
    public let steps: Int
    public let restarts: Int
    public let learningRate: Float
    private let encode: (Tensor) -> Tensor
    private let decode: (Tensor) -> Tensor
    private let kind: String

    /// - Parameters:
    ///   - encode: images `[n, pixels]` to codes `[n, K]` (a VAE's mean).
    ///   - decode: codes to images in [0, 1].
    ///   - parameters: the model's parameters, frozen here.
    /// - Throws: `PurifierError` for a step count below 0 or restarts below 1.
    public init(
        kind: String, latentCount: Int, pixelCount: Int, steps: Int, restarts: Int, learningRate: Float = 0.05,
        parameters: [Tensor], encode: @escaping (Tensor) -> Tensor, decode: @escaping (Tensor) -> Tensor
    ) throws {
        guard steps >= 0 else { throw PurifierError("--steps must be 0 or more, got \(steps)") }
        guard restarts >= 1 else { throw PurifierError("--restarts must be 1 or more, got \(restarts)") }
        self.kind = kind
        self.latentCount = latentCount
        self.pixelCount = pixelCount
        self.steps = steps
        self.restarts = restarts
        self.learningRate = learningRate
        self.encode = encode
        self.decode = decode
        Self.freeze(parameters)
    }

    /// The projection for an autoencoder run.
    public convenience init(autoencoder: Autoencoder, steps: Int, restarts: Int) throws {
        try self.init(
            kind: "ae", latentCount: autoencoder.latentCount, pixelCount: autoencoder.encoder.inputCount, steps: steps,
            restarts: restarts, parameters: autoencoder.parameters, encode: { autoencoder.encode($0) },
            decode: { DecodedPixels.fromLogits(autoencoder.decoder($0)) })
    }

    /// The projection for an unconditional VAE run (codes start at the encoder's mean).
    public convenience init(vae: VariationalAutoencoder, steps: Int, restarts: Int) throws {
        guard vae.classCount == 0 else {
            throw PurifierError("a conditional VAE cannot purify (it would need the label); use an unconditional run")
        }
        try self.init(
            kind: "vae", latentCount: vae.latentCount, pixelCount: vae.pixelCount, steps: steps, restarts: restarts,
            parameters: vae.parameters, encode: { vae.encode($0).mean },
            decode: { DecodedPixels.fromLogits(vae.decodeLogits($0)) })
    }

    public var summary: String {
        "\(kind) projection, \(steps) step\(steps == 1 ? "" : "s"), \(restarts) restart\(restarts == 1 ? "" : "s")"
    }
    public var isRandomised: Bool { restarts > 1 }

    public func purify(_ images: Tensor, noise: inout PurifierNoise) -> Tensor {
        let rows = images.shape[0]
        let target = images.detached()
        let found = search(target, noise: &noise)
        guard GradMode.isEnabled, images.requiresGrad else { return noGrad { decode(found) } }
        let anchor = encode(images)
        let displacement = noGrad { found - anchor.detached() }
        precondition(displacement.shape == [rows, latentCount])
        return decode(anchor + displacement)
    }

    /// The best code per image after the search, `[n, K]`.
    func search(_ target: Tensor, noise: inout PurifierNoise) -> Tensor {
        let (rows, k) = (target.shape[0], latentCount)
        let starts = noGrad { encode(target) }
        let codes = Tensor(zeros: [restarts * rows, k])
        (codes.data).update(from: starts.data, count: rows * k)
        if restarts > 1 { noise.fillGaussian(codes.data + rows * k, blocks: restarts - 1, rows: rows, columns: k) }
        let targets = Tensor.concatenate([Tensor](repeating: target, count: restarts), axis: 0)
        var first = [Float](repeating: 0, count: codes.count)
        var second = [Float](repeating: 0, count: codes.count)
        let (beta1, beta2): (Float, Float) = (0.9, 0.999)
        for step in stride(from: 1, through: steps, by: 1) {
            let gradient: Tensor = GradMode.withGradients {
                let z = codes.detached()
                z.requiresGrad = true
                let loss = (decode(z) - targets).squared().sum()
                loss.backward()
                return z.grad ?? Tensor(zeros: z.shape)
            }
            let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
            let correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
            for i in 0..<codes.count {
                let g = gradient.data[i]
                first[i] = beta1 * first[i] + (1 - beta1) * g
                second[i] = beta2 * second[i] + (1 - beta2) * g * g
                let update = (first[i] / correction1) / ((second[i] / correction2).squareRoot() + 1e-8)
                codes.data[i] -= learningRate * update
            }
        }
        let reconstructions = noGrad { decode(codes) }
        let pixels = target.shape[1]
        let best = Tensor(zeros: [rows, k])
        for row in 0..<rows {
            var bestError = Double.infinity
            var bestStart = 0
            for start in 0..<restarts {
                var error = 0.0
                let r = reconstructions.data + (start * rows + row) * pixels
                let x = target.data + row * pixels
                for p in 0..<pixels {
                    let d = Double(r[p] - x[p])
                    error += d * d
                }
                if error < bestError { (bestError, bestStart) = (error, start) }
            }
            (best.data + row * k).update(from: codes.data + (bestStart * rows + row) * k, count: k)
        }
        return best
    }
}
