import Foundation
import NeuralNet
import TensorCore

/// The adversarial autoencoder (Makhzani et al. 2015; MATH.md section 4): the autoencoder's encoder
/// and decoder plus a discriminator `D(z)` (K-128-128-1, ReLU, logit output) on the latent space that
/// tells prior samples ("real") from codes ("fake").
///
/// Each batch takes three optimizer steps, one per parameter group: `reconstruction` (MSE, encoder and
/// decoder), `discriminator` (maximise `E_p[log D(z)] + E_x[log(1 - D(phi(x)))]`), and `generator`, the
/// encoder alone (minimise `-E_x[log D(phi(x))]`, the non-saturating form). The discriminator's objective value `V(D)` gives
/// the Jensen-Shannon estimate `(V(D) + 2 log 2) / 2` between prior and aggregate posterior.
public final class AdversarialAutoencoder: AdversarialGenerativeModel {
    public let latentCount: Int
    public let prior: LatentPrior
    public let encoder: Sequential
    public let decoder: Sequential
    public let discriminator: Sequential
    public var updateFocus = UpdateFocus.all

    public init(pixels: Int = 784, latent: Int, prior: LatentPrior, generator: inout RandomGenerator) {
        latentCount = latent
        self.prior = prior
        encoder = Autoencoder.makeEncoder(pixels: pixels, latent: latent, generator: &generator)
        decoder = Autoencoder.makeDecoder(pixels: pixels, latent: latent, generator: &generator)
        discriminator = Networks.perceptron([latent, 128, 128, 1], activation: { ReLU() }, generator: &generator)
    }

    public var kind: String { "aae" }

    public func encode(_ x: Tensor) -> Tensor { encoder(x) }
    public func decode(_ z: Tensor) -> Tensor { decoder(z).sigmoid() }
    public func callAsFunction(_ input: Tensor) -> Tensor { decode(encode(input)) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        prefixed("encoder", encoder.namedParameters) + prefixed("decoder", decoder.namedParameters)
            + prefixed("discriminator", discriminator.namedParameters)
    }

    /// `reconstruction` (encoder and decoder), `discriminator`, and `generator` (the encoder again).
    public var parameterGroups: [ParameterGroup] {
        let encoderParameters = prefixed("encoder", encoder.namedParameters)
        return [
            ParameterGroup("reconstruction", encoderParameters + prefixed("decoder", decoder.namedParameters)),
            ParameterGroup("discriminator", prefixed("discriminator", discriminator.namedParameters)),
            ParameterGroup("generator", encoderParameters),
        ]
    }

    /// `V(D) = mean log D(real) + mean log(1 - D(fake))` from logits, as a 0-d tensor (differentiable).
    static func discriminatorObjective(realLogits: Tensor, fakeLogits: Tensor) -> Tensor {
        let ones = Tensor(repeating: 1, shape: realLogits.shape)
        let zeros = Tensor(zeros: fakeLogits.shape)
        // log D = -BCE(l, 1); log(1 - D) = -BCE(l, 0).
        return
            -(Loss.binaryCrossEntropyWithLogits(logits: realLogits, targets: ones)
            + Loss.binaryCrossEntropyWithLogits(logits: fakeLogits, targets: zeros))
    }

    /// Per-step metrics: `loss` and `recon` (the reconstruction MSE), `disc` (the discriminator's loss
    /// `-V(D)`), `gen` (the generator loss) and `jsd_estimate`. `updateFocus` picks the updates taken;
    /// skipped terms are evaluated without gradients.
    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        let modules: [any Module] = [encoder, decoder, discriminator]
        let updatesAutoencoder = updateFocus != .adversaryOnly
        let updatesAdversary = updateFocus != .autoencoderOnly
        // 1. Reconstruction.
        Networks.zeroGradients(modules)
        let reconstruction: Tensor
        if updatesAutoencoder {
            reconstruction = Loss.meanSquaredError(self(batch), batch)
            try Networks.checkFinite(reconstruction.item, "AAE reconstruction loss")
            reconstruction.backward()
            optimizers["reconstruction"].step()
        } else {
            reconstruction = noGrad { Loss.meanSquaredError(self(batch), batch) }
        }
        // 2. Discriminator: prior samples are real, codes are fake.
        Networks.zeroGradients(modules)
        let codes = noGrad { encode(batch) }
        let real = prior.sample(count: batch.shape[0], dimension: latentCount, generator: &generator)
        let objective: Tensor
        if updatesAdversary {
            objective = AdversarialAutoencoder.discriminatorObjective(
                realLogits: discriminator(real), fakeLogits: discriminator(codes))
            try Networks.checkFinite(objective.item, "AAE discriminator objective")
            (-objective).backward()
            optimizers["discriminator"].step()
        } else {
            objective = noGrad {
                AdversarialAutoencoder.discriminatorObjective(
                    realLogits: discriminator(real), fakeLogits: discriminator(codes))
            }
        }
        // 3. Encoder as generator, non-saturating: minimise -E log D(phi(x)).
        Networks.zeroGradients(modules)
        let generatorLoss: Tensor
        if updatesAutoencoder {
            let fooled = discriminator(encode(batch))
            generatorLoss = Loss.binaryCrossEntropyWithLogits(
                logits: fooled, targets: Tensor(repeating: 1, shape: fooled.shape))
            try Networks.checkFinite(generatorLoss.item, "AAE generator loss")
            generatorLoss.backward()
            optimizers["generator"].step()
        } else {
            generatorLoss = noGrad {
                let fooled = discriminator(codes)
                return Loss.binaryCrossEntropyWithLogits(
                    logits: fooled, targets: Tensor(repeating: 1, shape: fooled.shape))
            }
        }
        Networks.zeroGradients(modules)
        let recon = Double(reconstruction.item)
        return [
            ("loss", recon), ("recon", recon), ("disc", -Double(objective.item)), ("gen", Double(generatorLoss.item)),
            ("jsd_estimate", GaussianMath.jensenShannonEstimate(objective: Double(objective.item))),
        ]
    }

    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        let pixels = encoder.inputCount
        var squared = 0.0
        var objectiveSum = 0.0
        var rows = 0
        noGrad {
            Networks.forEachBatch(images, pixels: pixels) { x in
                let codes = encode(x)
                squared += Networks.squaredError(decode(codes), x)
                let real = prior.sample(count: x.shape[0], dimension: latentCount, generator: &generator)
                let objective = AdversarialAutoencoder.discriminatorObjective(
                    realLogits: discriminator(real), fakeLogits: discriminator(codes))
                objectiveSum += Double(objective.item) * Double(x.shape[0])
                rows += x.shape[0]
            }
        }
        let n = Double(max(rows, 1))
        return [
            ("mse", squared / Double(max(images.count, 1))),
            ("jsd_estimate", GaussianMath.jensenShannonEstimate(objective: objectiveSum / n)),
        ]
    }
}
