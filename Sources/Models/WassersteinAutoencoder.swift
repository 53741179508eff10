import Foundation
import NeuralNet
import TensorCore

/// The Wasserstein autoencoder (Tolstikhin et al. 2018; MATH.md section 5) with the autoencoder's
/// encoder and decoder and a latent penalty that pulls the aggregate posterior towards the prior:
///
/// - `critic`: a Wasserstein critic `f` (K-128-128-1, ReLU, raw output: no logarithm) on the latent,
///   maximising `E_{z~p}[f(z)] - E_x[f(phi(x))]` with its weights clipped to `[-clip, clip]` after
///   each step (WGAN, Arjovsky et al. 2017). The batch value of that objective is the running W1
///   estimate (W1 up to the critic's Lipschitz constant). The autoencoder minimises
///   `||x - psi(phi(x))||^2 - lambda E_x[f(phi(x))]`.
/// - `mmd`: no critic; the penalty is the unbiased MMD with the inverse multiquadratic kernel
///   `k(x, y) = C / (C + ||x - y||^2)`, summed over scales `C = 2 K s`, `s` in {0.1 ... 10} (the paper's code).
///
/// The reconstruction cost is the squared error summed over pixels, averaged over the batch (the
/// paper's `c(x, y) = ||x - y||^2`); test `mse` is reported per pixel.
public final class WassersteinAutoencoder: AdversarialGenerativeModel {
    public enum Penalty: String, CaseIterable, Sendable { case critic, mmd }

    public let latentCount: Int
    public let prior: LatentPrior
    public let penalty: Penalty
    public let lambda: Float
    public let clip: Float
    public let encoder: Sequential
    public let decoder: Sequential
    /// Present for the `critic` penalty only.
    public let critic: Sequential?
    /// Which networks a step updates (the MMD penalty has no adversary: `adversaryOnly` then updates nothing).
    public var updateFocus = UpdateFocus.all

    public static let kernelScales: [Float] = [0.1, 0.2, 0.5, 1, 2, 5, 10]

    public init(
        pixels: Int = 784, latent: Int, prior: LatentPrior = .gaussian, penalty: Penalty, lambda: Float = 10,
        clip: Float = 0.1, generator: inout RandomGenerator
    ) {
        latentCount = latent
        self.prior = prior
        self.penalty = penalty
        self.lambda = lambda
        self.clip = clip
        encoder = Autoencoder.makeEncoder(pixels: pixels, latent: latent, generator: &generator)
        decoder = Autoencoder.makeDecoder(pixels: pixels, latent: latent, generator: &generator)
        if penalty == .critic {
            let network = Networks.perceptron([latent, 128, 128, 1], activation: { ReLU() }, generator: &generator)
            critic = network
            WassersteinAutoencoder.clipWeights(network, clip)
        } else {
            critic = nil
        }
    }

    public var kind: String { "wae" }

    public func encode(_ x: Tensor) -> Tensor { encoder(x) }
    public func decode(_ z: Tensor) -> Tensor { decoder(z).sigmoid() }
    public func callAsFunction(_ input: Tensor) -> Tensor { decode(encode(input)) }

    public var namedParameters: [(name: String, tensor: Tensor)] { parameterGroups.flatMap(\.parameters) }

    /// `autoencoder` (encoder and decoder) and, for the `critic` penalty, `critic`.
    public var parameterGroups: [ParameterGroup] {
        var groups = [
            ParameterGroup(
                "autoencoder",
                prefixed("encoder", encoder.namedParameters) + prefixed("decoder", decoder.namedParameters))
        ]
        if let critic { groups.append(ParameterGroup("critic", prefixed("critic", critic.namedParameters))) }
        return groups
    }

    static func clipWeights(_ network: Sequential, _ clip: Float) {
        for parameter in network.parameters {
            for i in 0..<parameter.count { parameter.data[i] = min(max(parameter.data[i], -clip), clip) }
        }
    }

    /// Squared distances `[n, m]` between the rows of `a` [n, K] and `b` [m, K] (differentiable).
    static func pairwiseSquaredDistances(_ a: Tensor, _ b: Tensor) -> Tensor {
        let na = a.squared().sum(axis: 1, keepingDimension: true)
        let nb = b.squared().sum(axis: 1, keepingDimension: true).reshaped([1, b.shape[0]])
        return na + nb - a.matmul(b, transposeOther: true) * 2
    }

    /// Unbiased MMD^2 between samples `q` and `p` (each [n, K], n >= 2) with the inverse multiquadratic
    /// kernel over `kernelScales` (Tolstikhin et al. 2018, algorithm 2).
    public static func maximumMeanDiscrepancy(_ q: Tensor, _ p: Tensor) -> Tensor {
        let n = q.shape[0]
        let dimension = q.shape[1]
        precondition(n >= 2 && p.shape[0] == n, "MMD needs two samples of the same size >= 2")
        let offDiagonal = Tensor(repeating: 1, shape: [n, n])
        for i in 0..<n { offDiagonal.data[i * n + i] = 0 }
        let dqq = pairwiseSquaredDistances(q, q)
        let dpp = pairwiseSquaredDistances(p, p)
        let dqp = pairwiseSquaredDistances(q, p)
        var total: Tensor?
        for scale in kernelScales {
            let c = 2 * Float(dimension) * scale
            let kqq = ((dqq + c).pow(-1) * c * offDiagonal).sum() / Float(n * (n - 1))
            let kpp = ((dpp + c).pow(-1) * c * offDiagonal).sum() / Float(n * (n - 1))
            let kqp = ((dqp + c).pow(-1) * c).sum() * (2 / Float(n * n))
            let term = kqq + kpp - kqp
            total = total.map { $0 + term } ?? term
        }
        return total!
    }

    /// Per-step metrics: `loss` and `recon` (squared error per pixel), then `critic` (the critic's loss
    /// `-(E_p f - E_x f(phi(x)))`) and `w1_estimate`, or `mmd`. `updateFocus` picks the updates taken;
    /// skipped terms are evaluated without gradients.
    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        let rows = batch.shape[0]
        var modules: [any Module] = [encoder, decoder]
        if let critic { modules.append(critic) }
        let updatesAutoencoder = updateFocus != .adversaryOnly
        var estimate = 0.0
        if let critic {
            // Critic step: maximise E_p f(z) - E_x f(phi(x)).
            Networks.zeroGradients(modules)
            let codes = noGrad { encode(batch) }
            let real = prior.sample(count: rows, dimension: latentCount, generator: &generator)
            if updateFocus != .autoencoderOnly {
                let objective = critic(real).mean() - critic(codes).mean()
                try Networks.checkFinite(objective.item, "WAE critic objective")
                (-objective).backward()
                optimizers["critic"].step()
                WassersteinAutoencoder.clipWeights(critic, clip)
                estimate = Double(objective.item)
            } else {
                estimate = Double(noGrad { critic(real).mean() - critic(codes).mean() }.item)
            }
        }
        Networks.zeroGradients(modules)
        let reconstruction: Tensor = try Networks.recording(updatesAutoencoder) {
            let codes = encode(batch)
            let reconstruction = (decode(codes) - batch).squared().sum() / Float(rows)
            let penaltyValue: Tensor
            if let critic {
                penaltyValue = -critic(codes).mean()
            } else {
                let real = prior.sample(count: rows, dimension: latentCount, generator: &generator)
                penaltyValue = rows >= 2 ? WassersteinAutoencoder.maximumMeanDiscrepancy(codes, real) : Tensor(0)
                estimate = Double(penaltyValue.item)
            }
            let loss = reconstruction + penaltyValue * lambda
            try Networks.checkFinite(loss.item, "WAE loss")
            if updatesAutoencoder {
                loss.backward()
                optimizers["autoencoder"].step()
            }
            return reconstruction
        }
        Networks.zeroGradients(modules)
        let recon = Double(reconstruction.item) / Double(batch.shape[1])
        var metrics: [(name: String, value: Double)] = [("loss", recon), ("recon", recon)]
        if critic != nil { metrics.append(("critic", -estimate)) }
        metrics.append((penalty == .critic ? "w1_estimate" : "mmd", estimate))
        return metrics
    }

    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        let pixels = encoder.inputCount
        var squared = 0.0
        var estimateSum = 0.0
        var batches = 0
        noGrad {
            Networks.forEachBatch(images, pixels: pixels, batchSize: 500) { x in
                let codes = encode(x)
                squared += Networks.squaredError(decode(codes), x)
                let real = prior.sample(count: x.shape[0], dimension: latentCount, generator: &generator)
                if let critic {
                    estimateSum += Double((critic(real).mean() - critic(codes).mean()).item)
                    batches += 1
                } else if x.shape[0] >= 2 {
                    estimateSum += Double(WassersteinAutoencoder.maximumMeanDiscrepancy(codes, real).item)
                    batches += 1
                }
            }
        }
        return [
            ("mse", squared / Double(max(images.count, 1))),
            (penalty == .critic ? "w1_estimate" : "mmd", estimateSum / Double(max(batches, 1))),
        ]
    }
}
