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

    /// An inference-only `eps_theta(x_t, t)` for samplers, with the weights frozen as they are now
    /// (build a new one after training further). Same values as `predictNoise` up to rounding, faster:
    /// weights are transposed once so GEMM reads them contiguously, the time embedding's contribution
    /// to the first layer (`b_1 + W_1e e(t)`) is computed once per step index and cached instead of
    /// concatenating `[x, e(t)]` for every row, biases are the GEMM's initial `C`, SiLU runs in place,
    /// and hidden buffers are reused between calls. Falls back to `predictNoise` for other layouts.
    public func makeSamplingPredictor() -> (Tensor, [Int]) -> Tensor {
        let layers = network.layers
        guard layers.count == 5, let l1 = layers[0] as? Linear, layers[1] is SiLU, let l2 = layers[2] as? Linear,
            layers[3] is SiLU, let l3 = layers[4] as? Linear, let b1 = l1.bias, let b2 = l2.bias, let b3 = l3.bias,
            l1.weight.shape[1] == pixelCount + embeddingDimension
        else {
            return { [self] x, t in noGrad { predictNoise(x, timesteps: t) } }
        }
        let state = SamplingPredictorState(
            w1: l1.weight.transposedCopy(), w2: l2.weight.transposedCopy(), w3: l3.weight.transposedCopy(),
            b1: b1.scalars, b2: b2.scalars, b3: b3.scalars, pixels: pixelCount, embedding: embeddingDimension)
        return { x, timesteps in state.predict(x, timesteps: timesteps) }
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

/// Frozen weights and reusable buffers of `DDPM.makeSamplingPredictor` (used from one thread at a time).
final class SamplingPredictorState {
    /// Transposed weights `[in, out]`.
    let w1: Tensor
    let w2: Tensor
    let w3: Tensor
    let b1: [Float]
    let b2: [Float]
    let b3: [Float]
    let pixels: Int
    let embedding: Int
    var hidden1 = Tensor(zeros: [0])
    var hidden2 = Tensor(zeros: [0])
    /// `b_1 + W_1e e(t)` per step index.
    var firstLayerRows: [Int: [Float]] = [:]

    init(w1: Tensor, w2: Tensor, w3: Tensor, b1: [Float], b2: [Float], b3: [Float], pixels: Int, embedding: Int) {
        (self.w1, self.w2, self.w3, self.b1, self.b2, self.b3) = (w1, w2, w3, b1, b2, b3)
        self.pixels = pixels
        self.embedding = embedding
    }

    func firstLayerRow(_ t: Int) -> [Float] {
        if let row = firstLayerRows[t] { return row }
        let width = b1.count
        var row = b1
        let e = TimeEmbedding.sinusoidal([t], dimension: embedding)
        // row += e W_1e^T: rows `pixels..<pixels+embedding` of the transposed weight.
        for i in 0..<embedding {
            let ei = e[i]
            let base = w1.data + (pixels + i) * width
            for j in 0..<width { row[j] += ei * base[j] }
        }
        firstLayerRows[t] = row
        return row
    }

    /// `out = silu?(C)` with `C` starting as `initial(row)` per row, then `C += a W` (GEMM, beta 1).
    func layer(
        _ a: UnsafePointer<Float>, rows: Int, k: Int, weight: Tensor, into c: Tensor, initial: (Int) -> [Float],
        silu: Bool
    ) {
        let width = weight.shape[1]
        for r in 0..<rows {
            initial(r).withUnsafeBufferPointer { (c.data + r * width).update(from: $0.baseAddress!, count: width) }
        }
        GEMM.multiply(
            m: rows, n: width, k: k, a: a, lda: k, transA: false, b: weight.data, ldb: width, transB: false, c: c.data,
            ldc: width, beta: 1)
        guard silu else { return }
        for i in 0..<(rows * width) {
            let v = c.data[i]
            let e = Foundation.exp(-Swift.abs(v))
            c.data[i] = v >= 0 ? v / (1 + e) : v * e / (1 + e)
        }
    }

    func predict(_ x: Tensor, timesteps: [Int]) -> Tensor {
        let rows = x.shape[0]
        precondition(
            x.shape == [rows, pixels] && timesteps.count == rows, "predictor: \(x.shape) for \(pixels) pixels")
        let hidden = b1.count
        if hidden1.count != rows * hidden { hidden1 = Tensor(zeros: [rows, hidden]) }
        if hidden2.count != rows * b2.count { hidden2 = Tensor(zeros: [rows, b2.count]) }
        let out = Tensor(zeros: [rows, b3.count])
        // The first layer's x part: rows `0..<pixels` of the transposed weight (leading dimension hidden).
        for r in 0..<rows {
            firstLayerRow(timesteps[r]).withUnsafeBufferPointer {
                (hidden1.data + r * hidden).update(from: $0.baseAddress!, count: hidden)
            }
        }
        GEMM.multiply(
            m: rows, n: hidden, k: pixels, a: x.data, lda: pixels, transA: false, b: w1.data, ldb: hidden,
            transB: false, c: hidden1.data, ldc: hidden, beta: 1)
        for i in 0..<(rows * hidden) {
            let v = hidden1.data[i]
            let e = Foundation.exp(-Swift.abs(v))
            hidden1.data[i] = v >= 0 ? v / (1 + e) : v * e / (1 + e)
        }
        layer(hidden1.data, rows: rows, k: hidden, weight: w2, into: hidden2, initial: { _ in self.b2 }, silu: true)
        layer(hidden2.data, rows: rows, k: b2.count, weight: w3, into: out, initial: { _ in self.b3 }, silu: false)
        return out
    }
}

extension Tensor {
    /// A contiguous copy of a matrix's transpose, `[columns, rows]`, outside autograd.
    func transposedCopy() -> Tensor {
        let (rows, columns) = (shape[0], shape[1])
        let out = Tensor(zeros: [columns, rows])
        for r in 0..<rows {
            for c in 0..<columns { out.data[c * rows + r] = data[r * columns + c] }
        }
        return out
    }
}
