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
///
/// Class-conditional (`classCount > 0`, U-Net only; Ho & Salimans 2021): the network also takes a
/// label, embedded and added to the time embedding (`DiffusionUNet`); during training each label is
/// replaced by "no label" (index `classCount`) with probability `unconditionalProbability`, so the
/// one network predicts both `eps(x_t, t, k)` and `eps(x_t, t, none)`, which classifier-free guidance
/// combines (`ClassifierFreeGuidance`).
public final class DDPM: ClassConditionalModel {
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
    /// Classes the U-Net is conditioned on (0: unconditional); label `classCount` means "no label".
    public let classCount: Int
    /// The probability with which training replaces a label by "no label" (Ho & Salimans' `p_uncond`).
    public let unconditionalProbability: Float

    public init(
        pixels: Int = 784, hidden: Int = 1024, embedding: Int = 128, network architecture: Network = .mlp,
        averageDecay: Float = 0, classCount: Int = 0, unconditionalProbability: Float = 0.1,
        schedule: DiffusionSchedule = DiffusionSchedule(), generator: inout RandomGenerator
    ) {
        precondition(averageDecay >= 0 && averageDecay < 1, "DDPM: average decay must be in [0, 1)")
        precondition(classCount == 0 || architecture == .unet, "DDPM: only the U-Net takes a class")
        precondition(classCount >= 0 && unconditionalProbability >= 0 && unconditionalProbability <= 1)
        self.classCount = classCount
        self.unconditionalProbability = unconditionalProbability
        pixelCount = pixels
        embeddingDimension = embedding
        self.architecture = architecture
        self.averageDecay = averageDecay
        self.schedule = schedule
        if architecture == .unet {
            precondition(
                DiffusionUNet.supports(pixels: pixels), "DDPM: the U-Net needs \(Self.unetImageRequirement)"
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
            ? prefixed(
                "unet",
                DiffusionUNet.makeParameters(embedding: embedding, classCount: classCount, generator: &generator))
            : prefixed("network", network.namedParameters)
        for (index, projection) in timeProjections.enumerated() {
            parameters += prefixed("time.\(index)", projection.namedParameters)
        }
        trainedParameters = parameters
        averagedParameters =
            averageDecay > 0 ? parameters.map { (name: "ema." + $0.name, tensor: $0.tensor.copy()) } : []
    }

    public var kind: String { "ddpm" }

    /// Whether `unet` can take images of `pixels` (square, side divisible by 4 and at least 8).
    public static func unetSupports(pixels: Int) -> Bool { DiffusionUNet.supports(pixels: pixels) }

    /// Whether `unet` can take images of `height` x `width`: square as well, since 2x200 images have the
    /// pixels of a 20x20 square, which the U-Net would take them for.
    public static func unetSupports(height: Int, width: Int) -> Bool {
        height == width && unetSupports(pixels: height * width)
    }

    /// The images `unet` takes, as the messages that refuse others say it.
    public static let unetImageRequirement = "square images with a side divisible by 4 and at least 8"

    /// Whether the network takes a class label.
    public var isConditional: Bool { classCount > 0 }

    /// The label index meaning "no label" (the unconditional prediction).
    public var noLabel: Int { classCount }

    /// `eps_theta(x_t, t[, y])` with the live weights, for `x` [batch, pixels] and one step index per
    /// row; `labels` (one per row, `noLabel` for none) only for a conditional model, nil meaning none.
    public func predictNoise(_ x: Tensor, timesteps: [Int], labels: [Int]? = nil) -> Tensor {
        forward(x, timesteps: timesteps, labels: labels, weights: liveWeights)
    }

    /// `eps_theta(x_t, t[, y])` with the weights samplers use (the average when there is one and
    /// `samplesWithAverage`).
    public func predictNoiseForSampling(_ x: Tensor, timesteps: [Int], labels: [Int]? = nil) -> Tensor {
        forward(x, timesteps: timesteps, labels: labels, weights: samplingWeights)
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
    func forward(_ x: Tensor, timesteps: [Int], labels: [Int]? = nil, weights w: [String: Tensor]) -> Tensor {
        precondition(labels == nil || isConditional, "DDPM: labels given to an unconditional model")
        let embedding = Tensor(
            shape: [timesteps.count, embeddingDimension],
            scalars: TimeEmbedding.sinusoidal(timesteps, dimension: embeddingDimension))
        if architecture == .unet {
            let side = Int(Double(pixelCount).squareRoot().rounded())
            let rows = isConditional ? labels ?? [Int](repeating: noLabel, count: timesteps.count) : nil
            return DiffusionUNet(side: side, embedding: embeddingDimension)(
                x, embedding: embedding, labels: rows, weights: w, prefix: "unet.")
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
    ///
    /// A conditional model predicts without a label (`noLabel`) unless `guidance` gives one per sample:
    /// then `(1 + w) eps(x, t, k) - w eps(x, t, none)` (`ClassifierFreeGuidance`), both halves in one
    /// batch of twice the rows (one pass when `w = 0`). The U-Net takes at most `rowsPerPass` rows a pass
    /// (`samplingRowsPerPass`), so that a large `--n` does not need memory for every sample at once.
    public func makeSamplingPredictor(
        guidance: ClassifierFreeGuidance? = nil, rowsPerPass: Int = DDPM.samplingRowsPerPass
    ) -> (Tensor, [Int]) -> Tensor {
        precondition(guidance == nil || isConditional, "DDPM: guidance needs a class-conditional model")
        if isConditional {
            return { [self] x, t in
                noGrad {
                    DDPM.inPasses(x, timesteps: t, labels: guidance?.labels, rowsPerPass: rowsPerPass) { x, t, labels in
                        let part = guidance.map { ClassifierFreeGuidance(labels: labels ?? [], weight: $0.weight) }
                        return guidedPrediction(x, timesteps: t, guidance: part)
                    }
                }
            }
        }
        let w = samplingWeights
        guard let w1 = w["network.0.weight"], let w2 = w["network.2.weight"], let w3 = w["network.4.weight"],
            let b1 = w["network.0.bias"], let b2 = w["network.2.bias"], let b3 = w["network.4.bias"],
            w1.shape[1] == pixelCount + embeddingDimension
        else {
            return { [self] x, t in
                noGrad {
                    DDPM.inPasses(x, timesteps: t, labels: nil, rowsPerPass: rowsPerPass) { x, t, _ in
                        predictNoiseForSampling(x, timesteps: t)
                    }
                }
            }
        }
        let predictor = DDPMSamplingPredictor(
            w1: w1, w2: w2, w3: w3, b1: b1, b2: b2, b3: b3, time2: w["time.0.weight"], time3: w["time.1.weight"],
            pixels: pixelCount, embedding: embeddingDimension)
        return { x, timesteps in predictor.predict(x, timesteps: timesteps) }
    }

    /// The sampling prediction of a conditional model: unconditional without `guidance`, else guided.
    func guidedPrediction(_ x: Tensor, timesteps: [Int], guidance: ClassifierFreeGuidance?) -> Tensor {
        let rows = x.shape[0]
        guard let guidance else { return predictNoiseForSampling(x, timesteps: timesteps) }
        precondition(guidance.labels.count == rows, "guidance: \(guidance.labels.count) labels for \(rows) samples")
        if guidance.weight == 0 { return predictNoiseForSampling(x, timesteps: timesteps, labels: guidance.labels) }
        let both = predictNoiseForSampling(
            Tensor.concatenate([x, x], axis: 0), timesteps: timesteps + timesteps,
            labels: guidance.labels + [Int](repeating: noLabel, count: rows))
        let width = both.count / (2 * rows)
        let half = rows * width
        let conditional = Tensor(
            shape: [rows, width], scalars: Array(UnsafeBufferPointer(start: both.data, count: half)))
        let unconditional = Tensor(
            shape: [rows, width], scalars: Array(UnsafeBufferPointer(start: both.data + half, count: half)))
        return ClassifierFreeGuidance.combine(
            conditional: conditional, unconditional: unconditional, weight: guidance.weight)
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
            average.tensor.blend(decay: decay, toward: live.tensor)
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

    /// The training loss on `batch`; a conditional model's labels (one per row) are each replaced by
    /// `noLabel` with probability `unconditionalProbability` (drawn after the steps and the noise).
    /// - Parameter rowsPerPass: when given, the network runs on passes of at most that many rows (the
    ///   draws and the loss are those of one pass over the batch); for evaluation, without autograd.
    func lossOn(
        _ batch: Tensor, labels: [Int]? = nil, rowsPerPass: Int? = nil, generator: inout RandomGenerator
    ) -> Tensor {
        let x0 = batch * 2 - 1
        let timesteps = (0..<batch.shape[0]).map { _ in generator.index(below: schedule.stepCount) }
        let (xt, noise) = diffuse(x0, timesteps: timesteps, generator: &generator)
        var kept: [Int]? = nil
        if isConditional {
            let given = labels ?? [Int](repeating: noLabel, count: batch.shape[0])
            precondition(given.count == batch.shape[0], "DDPM: \(given.count) labels for \(batch.shape[0]) images")
            kept = given.map { generator.uniform() < unconditionalProbability ? noLabel : $0 }
        }
        guard let rowsPerPass else {
            return Loss.meanSquaredError(predictNoise(xt, timesteps: timesteps, labels: kept), noise)
        }
        let predicted = DDPM.inPasses(xt, timesteps: timesteps, labels: kept, rowsPerPass: rowsPerPass) {
            predictNoise($0, timesteps: $1, labels: $2)
        }
        return Loss.meanSquaredError(predicted, noise)
    }

    /// One step; the average's warm-up reads the optimizer's step count, so it resumes with it.
    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        try trainingStep(batch, labels: nil, optimizers: optimizers, generator: &generator)
    }

    /// One step with the images' labels (a conditional model; nil trains it without labels).
    private func trainingStep(
        _ batch: Tensor, labels: [Int]?, optimizers: NamedOptimizers, generator: inout RandomGenerator
    ) throws -> [(name: String, value: Double)] {
        let optimizer = optimizers["ddpm"]
        optimizer.zeroGradients()
        let loss = lossOn(batch, labels: labels, generator: &generator)
        try Networks.checkFinite(loss.item, "DDPM loss")
        loss.backward()
        optimizer.step()
        updateAverage(steps: optimizer.stepCount)
        return [("loss", Double(loss.item)), ("eps_mse", Double(loss.item))]
    }

    public func trainStep(
        _ batch: Tensor, labels: [Int], optimizers: NamedOptimizers, generator: inout RandomGenerator
    ) throws -> [(name: String, value: Double)] {
        try trainingStep(batch, labels: labels, optimizers: optimizers, generator: &generator)
    }

    /// Test `eps_mse`: the training loss on test images (random steps and noise from `generator`).
    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        evaluationLoss(images: images, labels: nil, generator: &generator)
    }

    /// Test `eps_mse` with the images' labels (a conditional model: dropped as in training).
    public func evaluate(images: [Float], labels: [Int], generator: inout RandomGenerator) -> [(
        name: String, value: Double
    )] {
        evaluationLoss(images: images, labels: labels, generator: &generator)
    }

    /// The most rows one network pass takes in the test evaluation (a quarter of its batches of 500, whose
    /// noise is drawn as before). The U-Net's activations cost about 1.4 MB a row at 28x28, so one pass of
    /// 500 made the end of `train ddpm --net unet` peak above the training itself.
    static let evaluationRowsPerPass = 125

    private func evaluationLoss(images: [Float], labels: [Int]?, generator: inout RandomGenerator) -> [(
        name: String, value: Double
    )] {
        var total = 0.0
        var rows = 0
        noGrad {
            Networks.forEachBatch(images, pixels: pixelCount, batchSize: 500) { x in
                let batchLabels = labels.map { Array($0[rows..<(rows + x.shape[0])]) }
                let loss = lossOn(
                    x, labels: batchLabels, rowsPerPass: DDPM.evaluationRowsPerPass, generator: &generator)
                total += Double(loss.item) * Double(x.shape[0])
                rows += x.shape[0]
            }
        }
        return [("eps_mse", total / Double(max(rows, 1)))]
    }
}
