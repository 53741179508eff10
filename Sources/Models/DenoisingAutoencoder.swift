import Foundation
import NeuralNet
import TensorCore

/// A denoising autoencoder as a score model (MATH.md section 7): trained so that `r(x + sigma n) ~ x`,
/// `n ~ N(0, I)`, whose residual `(r(x~) - x~) / sigma^2` estimates the score `grad log p_sigma(x~)`
/// (Vincent 2011; Alain & Bengio 2014).
///
/// With several noise levels it is noise-conditional (Song & Ermon 2019): the network sees the level's
/// one-hot index beside the image, and each example's squared error is weighted by `1 / sigma^2`
/// (the `lambda(sigma) = sigma^2` weighting of the score-matching loss), so every level counts alike.
/// Network: (784 + L) - 512 - 512 - 784, SiLU, sigmoid output (`r` stays in the pixel range).
public final class DenoisingAutoencoder: GenerativeModel {
    /// Noise levels, as given (the ladder is sorted descending for annealing).
    public let sigmas: [Float]
    public let network: Sequential
    public let namedParameters: [(name: String, tensor: Tensor)]
    public let pixelCount: Int

    /// The noise levels a run may have: below 0.001 the score `(r - x) / sigma^2` and the Langevin step
    /// `0.05 sigma^2` leave single precision's useful range (at 1e-30 the step rounds to zero).
    public static let sigmaRange: ClosedRange<Float> = 0.001...100

    public init(pixels: Int = 784, sigmas: [Float], hidden: Int = 512, generator: inout RandomGenerator) {
        precondition(!sigmas.isEmpty && sigmas.allSatisfy { $0 > 0 }, "DAE needs positive noise levels")
        self.sigmas = sigmas
        pixelCount = pixels
        let conditioning = sigmas.count > 1 ? sigmas.count : 0
        network = Networks.perceptron(
            [pixels + conditioning, hidden, hidden, pixels], activation: { SiLU() }, generator: &generator)
        namedParameters = prefixed("network", network.namedParameters)
    }

    public var kind: String { "dae" }
    public var isConditional: Bool { sigmas.count > 1 }

    /// `r(x~)` for noisy images `[batch, pixels]` at level index `levels[i]` per row.
    public func denoise(_ noisy: Tensor, levels: [Int]) -> Tensor { logits(noisy, levels: levels).sigmoid() }

    /// The network's output before the sigmoid of `denoise`.
    func logits(_ noisy: Tensor, levels: [Int]) -> Tensor {
        guard isConditional else { return network(noisy) }
        return network(Tensor.concatenate([noisy, Tensor.oneHot(levels, classCount: sigmas.count)], axis: 1))
    }

    /// `denoise` for sampling and purification: NaN where the network's output overflows
    /// (`DecodedPixels`), where `r(x~)` would be a saturated 0 or 1.
    public func denoisedPixels(_ noisy: Tensor, levels: [Int]) -> Tensor {
        DecodedPixels.fromLogits(logits(noisy, levels: levels))
    }

    /// The score estimate `(r(x) - x) / sigma^2` at level `level` for every row of `x` (`denoisedPixels`).
    public func score(_ x: Tensor, level: Int) -> Tensor {
        noGrad {
            let sigma = sigmas[level]
            return (denoisedPixels(x, levels: [Int](repeating: level, count: x.shape[0])) - x) * (1 / (sigma * sigma))
        }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        denoise(input, levels: [Int](repeating: 0, count: input.shape[0]))
    }

    public var parameterGroups: [ParameterGroup] { [ParameterGroup("dae", namedParameters)] }

    /// Noisy copies of `x`, the level of each row and its `sigma`.
    func corrupt(_ x: Tensor, generator: inout RandomGenerator) -> (noisy: Tensor, levels: [Int], sigmaPerRow: Tensor) {
        let rows = x.shape[0]
        let levels = (0..<rows).map { _ in sigmas.count > 1 ? generator.index(below: sigmas.count) : 0 }
        let sigmaPerRow = Tensor(shape: [rows, 1], scalars: levels.map { sigmas[$0] })
        let noise = Tensor.randomNormal(x.shape, generator: &generator)
        return (x + noise * sigmaPerRow, levels, sigmaPerRow)
    }

    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        let optimizer = optimizers["dae"]
        optimizer.zeroGradients()
        let (noisy, levels, sigmaPerRow) = corrupt(batch, generator: &generator)
        let residual = denoise(noisy, levels: levels) - batch
        let loss: Tensor
        if isConditional {
            let weights = sigmaPerRow.squared().pow(-1)
            loss = (residual.squared() * weights).mean()
        } else {
            loss = residual.squared().mean()
        }
        try Networks.checkFinite(loss.item, "DAE loss")
        loss.backward()
        optimizer.step()
        return [("loss", Double(loss.item))]
    }

    /// Test `mse`: per pixel, unweighted, over levels drawn as in training.
    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        var squared = 0.0
        noGrad {
            Networks.forEachBatch(images, pixels: pixelCount) { x in
                let (noisy, levels, _) = corrupt(x, generator: &generator)
                squared += Networks.squaredError(denoise(noisy, levels: levels), x)
            }
        }
        return [("mse", squared / Double(max(images.count, 1)))]
    }
}
