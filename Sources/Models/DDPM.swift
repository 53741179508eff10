import Foundation
import NeuralNet
import TensorCore

/// Denoising diffusion probabilistic model (Ho et al. 2020; MATH.md section 8) with a noise
/// predictor that is either an MLP of widths `[x_t (784), embedding(t) (128)] -> 1024 -> 1024 -> 784`,
/// SiLU, or a small U-Net (`DiffusionUNet`).
///
/// The networks (`Network`):
/// - `mlp`: the sinusoidal embedding is concatenated to the input only (the network);
/// - `mlp-t`: the same, plus a learned linear projection of the embedding added to the second hidden
///   layer's and to the output's pre-activation (`time.0`, `time.1`), as DDPM's U-Net adds the time
///   embedding to every residual block. Same widths and the same cost per sampling step (the
///   projections depend on `t` only and are cached per step).
/// - `unet`: `DiffusionUNet` (parameters `unet.*`), for square images with a side divisible by 4;
///   about 70x the MLP's arithmetic per image, and far better at removing small noise.
///
/// Training: pixels scaled to [-1, 1], `t ~ Uniform`, `eps ~ N(0, I)`,
/// `x_t = sqrt(alphaBar_t) x_0 + sqrt(1 - alphaBar_t) eps`, minimise the MSE `||eps - eps_theta(x_t, t)||^2`
/// (mean). With `averageDecay > 0` an exponential moving average of the weights is kept (`ema.*` in
/// the checkpoint) and samplers use it, as Ho et al. do (their appendix B, decay 0.9999 over 800k
/// steps; shorter runs need a shorter memory). Sampling lives in `DDPMSampler` and `DDIMSampler`.
public final class DDPM: GenerativeModel {
    /// How the noise predictor sees the step.
    public enum Network: String, CaseIterable, Sendable {
        case mlp
        case mlpTime = "mlp-t"
        case unet
    }

    public let schedule: DiffusionSchedule
    public let embeddingDimension: Int
    public let architecture: Network
    /// `Linear, SiLU, Linear, SiLU, Linear` (PyTorch names `network.0` ... `network.4`); empty for `unet`.
    public let network: Sequential
    /// `mlp-t`: bias-free projections of the embedding onto the second hidden layer and the output.
    public let timeProjections: [Linear]
    /// The trained parameters (`network.*` or `unet.*`, then `time.*`): the `ddpm` group, without the
    /// average.
    public let trainedParameters: [(name: String, tensor: Tensor)]
    public let pixelCount: Int
    /// Decay of the weight average per step (0: none). Early steps use `min(decay, (1 + n) / (10 + n))`
    /// so the average does not remember the initialisation for long.
    public let averageDecay: Float
    /// `ema.NAME` for every trained parameter `NAME` (empty without an average).
    public let averagedParameters: [(name: String, tensor: Tensor)]
    /// Whether samplers use the weight average (when there is one) or the live weights.
    public var samplesWithAverage = true

    public init(
        pixels: Int = 784, hidden: Int = 1024, embedding: Int = 128, network architecture: Network = .mlp,
        averageDecay: Float = 0, schedule: DiffusionSchedule = DiffusionSchedule(), generator: inout RandomGenerator
    ) {
        precondition(averageDecay >= 0 && averageDecay < 1, "DDPM: average decay must be in [0, 1)")
        pixelCount = pixels
        embeddingDimension = embedding
        self.architecture = architecture
        self.averageDecay = averageDecay
        self.schedule = schedule
        if architecture == .unet {
            precondition(
                DiffusionUNet.supports(pixels: pixels), "DDPM: the U-Net needs square images with a side divisible by 4"
            )
            network = Sequential([])
        } else {
            network = Networks.perceptron(
                [pixels + embedding, hidden, hidden, pixels], activation: { SiLU() }, generator: &generator)
        }
        switch architecture {
        case .mlp, .unet: timeProjections = []
        case .mlpTime:
            timeProjections = [
                Linear(inputCount: embedding, outputCount: hidden, bias: false, generator: &generator),
                Linear(inputCount: embedding, outputCount: pixels, bias: false, generator: &generator),
            ]
        }
        var parameters =
            architecture == .unet
            ? prefixed("unet", DiffusionUNet.makeParameters(embedding: embedding, generator: &generator))
            : prefixed("network", network.namedParameters)
        for (index, projection) in timeProjections.enumerated() {
            parameters += prefixed("time.\(index)", projection.namedParameters)
        }
        trainedParameters = parameters
        averagedParameters =
            averageDecay > 0 ? parameters.map { (name: "ema." + $0.name, tensor: $0.tensor.copy()) } : []
    }

    public var kind: String { "ddpm" }

    /// Whether `unet` can take images of `pixels` (square, side divisible by 4).
    public static func unetSupports(pixels: Int) -> Bool { DiffusionUNet.supports(pixels: pixels) }

    /// `eps_theta(x_t, t)` with the live weights, for `x` [batch, pixels] and one step index per row.
    public func predictNoise(_ x: Tensor, timesteps: [Int]) -> Tensor {
        forward(x, timesteps: timesteps, weights: liveWeights)
    }

    /// `eps_theta(x_t, t)` with the weights samplers use (the average when there is one and
    /// `samplesWithAverage`).
    public func predictNoiseForSampling(_ x: Tensor, timesteps: [Int]) -> Tensor {
        forward(x, timesteps: timesteps, weights: samplingWeights)
    }

    var liveWeights: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: trainedParameters.map { ($0.name, $0.tensor) })
    }

    var samplingWeights: [String: Tensor] {
        guard samplesWithAverage, !averagedParameters.isEmpty else { return liveWeights }
        return Dictionary(
            uniqueKeysWithValues: averagedParameters.map { (String($0.name.dropFirst("ema.".count)), $0.tensor) })
    }

    /// The network on explicit weights (PyTorch names without a prefix for `ema.`).
    func forward(_ x: Tensor, timesteps: [Int], weights w: [String: Tensor]) -> Tensor {
        let embedding = Tensor(
            shape: [timesteps.count, embeddingDimension],
            scalars: TimeEmbedding.sinusoidal(timesteps, dimension: embeddingDimension))
        if architecture == .unet {
            let side = Int(Double(pixelCount).squareRoot().rounded())
            return DiffusionUNet(side: side, embedding: embeddingDimension)(
                x, embedding: embedding, weights: w, prefix: "unet.")
        }
        let input = Tensor.concatenate([x, embedding], axis: 1)
        let first = input.linear(weight: w["network.0.weight"]!, bias: w["network.0.bias"]).silu()
        var second = first.linear(weight: w["network.2.weight"]!, bias: w["network.2.bias"])
        if let time = w["time.0.weight"] { second = second + embedding.linear(weight: time, bias: nil) }
        var out = second.silu().linear(weight: w["network.4.weight"]!, bias: w["network.4.bias"])
        if let time = w["time.1.weight"] { out = out + embedding.linear(weight: time, bias: nil) }
        return out
    }

    /// An inference-only `predictNoiseForSampling` for samplers, with the weights frozen as they are
    /// now (build a new one after training further); see `DDPMSamplingPredictor`. Same values up
    /// to rounding, faster.
    public func makeSamplingPredictor() -> (Tensor, [Int]) -> Tensor {
        let w = samplingWeights
        guard let w1 = w["network.0.weight"], let w2 = w["network.2.weight"], let w3 = w["network.4.weight"],
            let b1 = w["network.0.bias"], let b2 = w["network.2.bias"], let b3 = w["network.4.bias"],
            w1.shape[1] == pixelCount + embeddingDimension
        else {
            return { [self] x, t in noGrad { predictNoiseForSampling(x, timesteps: t) } }
        }
        let predictor = DDPMSamplingPredictor(
            w1: w1, w2: w2, w3: w3, b1: b1, b2: b2, b3: b3, time2: w["time.0.weight"], time3: w["time.1.weight"],
            pixels: pixelCount, embedding: embeddingDimension)
        return { x, timesteps in predictor.predict(x, timesteps: timesteps) }
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        predictNoise(input, timesteps: [Int](repeating: 0, count: input.shape[0]))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { trainedParameters + averagedParameters }

    /// One group, `ddpm`: the trained parameters (the average is not trained, it follows them).
    public var parameterGroups: [ParameterGroup] { [ParameterGroup("ddpm", trainedParameters)] }

    /// `average = d average + (1 - d) weight` after the optimizer's `steps`-th step.
    func updateAverage(steps: Int) {
        guard averageDecay > 0 else { return }
        let n = Float(steps)
        let decay = min(averageDecay, (1 + n) / (10 + n))
        for (live, average) in zip(trainedParameters, averagedParameters) {
            let (p, a, count) = (live.tensor.data, average.tensor.data, live.tensor.count)
            var i = 0
            while i + 16 <= count {
                let pv = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
                let av = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(a + i).storeBytes(of: decay * av + (1 - decay) * pv, as: SIMD16<Float>.self)
                i += 16
            }
            while i < count {
                a[i] = decay * a[i] + (1 - decay) * p[i]
                i += 1
            }
        }
    }

    /// `x_t` from `x_0` (in [-1, 1]) for per-row steps, with the noise used: samples `q(x_t | x_0)`.
    public func diffuse(_ x0: Tensor, timesteps: [Int], generator: inout RandomGenerator) -> (xt: Tensor, noise: Tensor)
    {
        let noise = Tensor(zeros: x0.shape)
        generator.fillGaussian(noise.data, count: noise.count)
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

    /// One step; the average's warm-up reads the optimizer's step count, so it resumes with it.
    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        let optimizer = optimizers["ddpm"]
        optimizer.zeroGradients()
        let loss = lossOn(batch, generator: &generator)
        try Networks.checkFinite(loss.item, "DDPM loss")
        loss.backward()
        optimizer.step()
        updateAverage(steps: optimizer.stepCount)
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
