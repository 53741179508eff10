import Foundation
import NeuralNet
import TensorCore

/// Denoising diffusion probabilistic model (Ho et al. 2020; MATH.md section 8) with an MLP noise
/// predictor: `[x_t (784), embedding(t) (128)] -> 1024 -> 1024 -> 784`, SiLU.
///
/// Training: pixels scaled to [-1, 1], `t ~ Uniform`, `eps ~ N(0, I)`,
/// `x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps`, minimise the MSE `||eps - eps_theta(x_t, t)||^2`
/// (mean). Sampling lives in `DDPMSampler` and `DDIMSampler`.
public final class DDPM: GenerativeModel {
    public let schedule: DiffusionSchedule
    public let embeddingDimension: Int
    public let network: Sequential
    public let optimizer: Adam
    public let pixelCount: Int

    public init(
        pixels: Int = 784, hidden: Int = 1024, embedding: Int = 128, schedule: DiffusionSchedule = DiffusionSchedule(),
        learningRate: Float = 2e-4, generator: inout RandomGenerator
    ) {
        pixelCount = pixels
        embeddingDimension = embedding
        self.schedule = schedule
        network = Networks.perceptron(
            [pixels + embedding, hidden, hidden, pixels], activation: { SiLU() }, generator: &generator)
        optimizer = Adam(parameters: prefixed("network", network.namedParameters), learningRate: learningRate)
    }

    public var kind: String { "ddpm" }

    /// `eps_theta(x_t, t)` for `x` [batch, pixels] and one step index per row.
    public func predictNoise(_ x: Tensor, timesteps: [Int]) -> Tensor {
        let embedding = Tensor(
            shape: [timesteps.count, embeddingDimension],
            scalars: TimeEmbedding.sinusoidal(timesteps, dimension: embeddingDimension))
        return network(Tensor.concatenate([x, embedding], axis: 1))
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        predictNoise(input, timesteps: [Int](repeating: 0, count: input.shape[0]))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { optimizer.parameters }
    public var optimizers: [(name: String, optimizer: any Optimizer)] { [("ddpm", optimizer)] }

    /// `x_t` from `x_0` (in [-1, 1]) for per-row steps, with the noise used: samples `q(x_t | x_0)`.
    public func diffuse(_ x0: Tensor, timesteps: [Int], generator: inout RandomGenerator) -> (xt: Tensor, noise: Tensor)
    {
        let noise = Tensor.randomNormal(x0.shape, generator: &generator)
        let signal = Tensor(
            shape: [timesteps.count, 1], scalars: timesteps.map { Float(schedule.alphaBars[$0].squareRoot()) })
        let spread = Tensor(
            shape: [timesteps.count, 1], scalars: timesteps.map { Float((1 - schedule.alphaBars[$0]).squareRoot()) })
        return (x0 * signal + noise * spread, noise)
    }

    func lossOn(_ batch: Tensor, generator: inout RandomGenerator) -> Tensor {
        let x0 = batch * 2 - 1
        let timesteps = (0..<batch.shape[0]).map { _ in generator.index(below: schedule.stepCount) }
        let (xt, noise) = diffuse(x0, timesteps: timesteps, generator: &generator)
        return Loss.meanSquaredError(predictNoise(xt, timesteps: timesteps), noise)
    }

    public func trainStep(_ batch: Tensor, generator: inout RandomGenerator) throws -> [(name: String, value: Double)] {
        optimizer.zeroGradients()
        let loss = lossOn(batch, generator: &generator)
        try Networks.checkFinite(loss.item, "DDPM loss")
        loss.backward()
        optimizer.step()
        return [("loss", Double(loss.item)), ("eps_mse", Double(loss.item))]
    }

    /// Test `eps_mse`: the training loss on test images (random steps and noise from `generator`).
    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        var total = 0.0
        var rows = 0
        noGrad {
            Networks.forEachBatch(images, pixels: pixelCount, batchSize: 500) { x in
                total += Double(lossOn(x, generator: &generator).item) * Double(x.shape[0])
                rows += x.shape[0]
            }
        }
        return [("eps_mse", total / Double(max(rows, 1)))]
    }
}
