import Foundation
import NeuralNet
import TensorCore
import Testing

@testable import Models

/// The conditional VAE (Sohn, Lee & Yan 2015; issue 18): the one-hot label joins the encoder's input
/// and the decoder's code, and the loss is the conditional ELBO of `p(x | y)`.
struct ConditionalVAETests {
    @Test func labelsJoinTheEncoderInputAndTheDecoderCode() throws {
        var generator = RandomGenerator(seed: 3)
        let model = VariationalAutoencoder(pixels: 12, hidden: 8, latent: 3, classCount: 4, generator: &generator)
        #expect(model.fc1.weight.shape == [8, 16] && model.fc3.weight.shape == [8, 7])
        #expect(model.pixelCount == 12 && model.classCount == 4)
        let z = Tensor.randomNormal([2, 3], generator: &generator)
        let a = noGrad { model.decode(z, labels: [0, 0]) }
        let b = noGrad { model.decode(z, labels: [3, 3]) }
        #expect(a.shape == [2, 12] && a.scalars != b.scalars)
        // The one-hot columns: label k adds fc3's column K + k to the decoder's first pre-activation.
        let joined = model.conditioned(z, labels: [1, 2])
        #expect(joined.shape == [2, 7])
        #expect(Array(joined.scalars[3..<7]) == [0, 1, 0, 0] && Array(joined.scalars[10..<14]) == [0, 0, 1, 0])
        // Every parameter learns from the conditional ELBO.
        let x = Tensor.randomUniform([5, 12], low: 0, high: 1, generator: &generator)
        let (bce, kl) = model.lossTerms(x, labels: [0, 1, 2, 3, 0], generator: &generator)
        (bce + kl).backward()
        for (name, tensor) in model.namedParameters {
            #expect(tensor.grad?.scalars.contains { $0 != 0 } == true, "\(name) received no gradient")
        }
    }

    /// `-ELBO(x | y) = BCE(x, dec(z, y)) + KL(q(z | x, y) || N(0, I))` with `z` from `q(z | x, y)`.
    @Test func conditionalELBOMatchesTheClosedForms() {
        var generator = RandomGenerator(seed: 5)
        let model = VariationalAutoencoder(pixels: 12, hidden: 8, latent: 3, classCount: 3, generator: &generator)
        let x = Tensor.randomUniform([4, 12], low: 0, high: 1, generator: &generator)
        let labels = [2, 0, 1, 2]
        var a = RandomGenerator(seed: 9)
        let (bce, kl) = noGrad { model.lossTerms(x, labels: labels, generator: &a) }
        let (mean, logVariance) = noGrad { model.encode(x, labels: labels) }
        let expectedKL = GaussianMath.klToStandardNormal(
            mean: mean.scalars.map(Double.init), logVariance: logVariance.scalars.map(Double.init))
        #expect(abs(Double(kl.item) - expectedKL) < 1e-4 * max(1, expectedKL))
        var b = RandomGenerator(seed: 9)
        let z = noGrad { model.reparameterize(mean: mean, logVariance: logVariance, generator: &b) }
        let logits = noGrad { model.decodeLogits(z, labels: labels) }
        let logLikelihood = GaussianMath.bernoulliLogLikelihood(logits: logits.data, targets: x.data, count: x.count)
        #expect(abs(Double(bce.item) + logLikelihood) < 1e-3)
        // The encoder sees the label: another label gives another posterior.
        let other = noGrad { model.encode(x, labels: [0, 0, 0, 0]).mean }
        #expect(other.scalars != mean.scalars)
    }
}
