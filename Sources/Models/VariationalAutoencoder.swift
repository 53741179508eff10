import Foundation
import NeuralNet
import TensorCore

/// The variational autoencoder (Kingma & Welling 2014; MATH.md section 6) of pytorch/examples
/// (`vae/main.py`): encoder 784-400-(K, K) giving `mu` and `log sigma^2`, decoder K-400-784 giving
/// Bernoulli logits. Loss per batch = BCE (summed over pixels and images) + analytic KL; `z = mu +
/// sigma * eps` (reparameterisation). Parameter names are the example's: `fc1`, `fc21`, `fc22`, `fc3`,
/// `fc4`.
///
/// Test metrics: negative ELBO in nats per image with its BCE and KL parts (one `z` per image), and
/// the importance-weighted bound of Burda et al. 2016 with `importanceSamples` samples, reported as
/// `-log p(x)` estimate (nats per image, at most the negative ELBO in expectation).
///
/// Conditional (`classCount > 0`; the CVAE of Sohn, Lee & Yan 2015): the one-hot label `y` is
/// concatenated to the encoder's input (`fc1` takes `[x, y]`) and to the decoder's code (`fc3` takes
/// `[z, y]`), and the loss is the conditional ELBO
/// `-log p(x | y) <= BCE(x, dec(z, y)) + KL(q(z | x, y) || N(0, I))`; sampling draws `z ~ N(0, I)` and
/// decodes it with the class asked for. Without labels (the workbench's views) the label part is zero.
public final class VariationalAutoencoder: ClassConditionalModel {
    public let latentCount: Int
    /// Classes of the conditional VAE (0: the plain VAE).
    public let classCount: Int
    public let pixelCount: Int
    public let fc1: Linear
    public let fc21: Linear
    public let fc22: Linear
    public let fc3: Linear
    public let fc4: Linear
    public let namedParameters: [(name: String, tensor: Tensor)]
    /// `k` of the importance-weighted test bound.
    public var importanceSamples = 10

    public init(
        pixels: Int = 784, hidden: Int = 400, latent: Int, classCount: Int = 0, generator: inout RandomGenerator
    ) {
        precondition(classCount >= 0, "VAE: negative class count")
        latentCount = latent
        self.classCount = classCount
        pixelCount = pixels
        fc1 = Linear(inputCount: pixels + classCount, outputCount: hidden, generator: &generator)
        fc21 = Linear(inputCount: hidden, outputCount: latent, generator: &generator)
        fc22 = Linear(inputCount: hidden, outputCount: latent, generator: &generator)
        fc3 = Linear(inputCount: latent + classCount, outputCount: hidden, generator: &generator)
        fc4 = Linear(inputCount: hidden, outputCount: pixels, generator: &generator)
        namedParameters = [("fc1", fc1), ("fc21", fc21), ("fc22", fc22), ("fc3", fc3), ("fc4", fc4)].flatMap {
            prefixed($0.0, $0.1.namedParameters)
        }
    }

    public var kind: String { "vae" }

    /// `[t, onehot(labels)]` for a conditional VAE (zeros for nil labels); `t` itself otherwise.
    func conditioned(_ t: Tensor, labels: [Int]?) -> Tensor {
        guard classCount > 0 else { return t }
        let rows = t.shape[0]
        let oneHot = Tensor(zeros: [rows, classCount])
        if let labels {
            precondition(labels.count == rows, "VAE: \(labels.count) labels for \(rows) rows")
            for (row, label) in labels.enumerated() {
                precondition((0..<classCount).contains(label), "VAE: label \(label) outside 0..<\(classCount)")
                oneHot.data[row * classCount + label] = 1
            }
        }
        return Tensor.concatenate([t, oneHot], axis: 1)
    }

    /// `(mu, log sigma^2)`, each `[batch, K]`; a conditional VAE also takes the labels.
    public func encode(_ x: Tensor, labels: [Int]? = nil) -> (mean: Tensor, logVariance: Tensor) {
        let h = fc1(conditioned(x, labels: labels)).relu()
        return (fc21(h), fc22(h))
    }

    /// Bernoulli logits `[batch, pixels]` from codes (and, conditional, the labels).
    public func decodeLogits(_ z: Tensor, labels: [Int]? = nil) -> Tensor {
        fc4(fc3(conditioned(z, labels: labels)).relu())
    }

    /// Mean images in (0, 1) from codes (and, conditional, the labels).
    public func decode(_ z: Tensor, labels: [Int]? = nil) -> Tensor { decodeLogits(z, labels: labels).sigmoid() }

    /// `z = mu + exp(logvar / 2) * eps`.
    public func reparameterize(mean: Tensor, logVariance: Tensor, generator: inout RandomGenerator) -> Tensor {
        let eps = Tensor.randomNormal(mean.shape, generator: &generator)
        return mean + (logVariance * 0.5).exp() * eps
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { decode(encode(input).mean) }

    public var parameterGroups: [ParameterGroup] { [ParameterGroup("vae", namedParameters)] }

    /// BCE (sum) and KL (sum) of a batch, as 0-d tensors (a conditional VAE's: of `p(x | y)`).
    public func lossTerms(_ x: Tensor, labels: [Int]? = nil, generator: inout RandomGenerator) -> (
        reconstruction: Tensor, kl: Tensor
    ) {
        let (mean, logVariance) = encode(x, labels: labels)
        let z = reparameterize(mean: mean, logVariance: logVariance, generator: &generator)
        let bce = Loss.binaryCrossEntropyWithLogits(
            logits: decodeLogits(z, labels: labels), targets: x, reduction: .sum)
        let kl = ((logVariance + 1) - mean.squared() - logVariance.exp()).sum() * -0.5
        return (bce, kl)
    }

    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        try trainingStep(batch, labels: nil, optimizers: optimizers, generator: &generator)
    }

    public func trainStep(
        _ batch: Tensor, labels: [Int], optimizers: NamedOptimizers, generator: inout RandomGenerator
    ) throws -> [(name: String, value: Double)] {
        try trainingStep(batch, labels: labels, optimizers: optimizers, generator: &generator)
    }

    private func trainingStep(
        _ batch: Tensor, labels: [Int]?, optimizers: NamedOptimizers, generator: inout RandomGenerator
    ) throws -> [(name: String, value: Double)] {
        let optimizer = optimizers["vae"]
        optimizer.zeroGradients()
        let (bce, kl) = lossTerms(batch, labels: labels, generator: &generator)
        let loss = bce + kl
        try Networks.checkFinite(loss.item, "VAE loss")
        loss.backward()
        optimizer.step()
        let n = Double(batch.shape[0])
        return [("loss", Double(loss.item) / n), ("recon", Double(bce.item) / n), ("kl", Double(kl.item) / n)]
    }

    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        evaluation(images: images, labels: nil, generator: &generator)
    }

    /// The test metrics of a conditional VAE, of `p(x | y)` with the images' labels.
    public func evaluate(images: [Float], labels: [Int], generator: inout RandomGenerator) -> [(
        name: String, value: Double
    )] {
        evaluation(images: images, labels: labels, generator: &generator)
    }

    private func evaluation(images: [Float], labels: [Int]?, generator: inout RandomGenerator) -> [(
        name: String, value: Double
    )] {
        var bceSum = 0.0
        var klSum = 0.0
        var iwaeSum = 0.0
        let pixels = pixelCount
        let count = images.count / pixels
        var done = 0
        noGrad {
            Networks.forEachBatch(images, pixels: pixels) { x in
                let batchLabels = labels.map { Array($0[done..<(done + x.shape[0])]) }
                done += x.shape[0]
                let (bce, kl) = lossTerms(x, labels: batchLabels, generator: &generator)
                bceSum += Double(bce.item)
                klSum += Double(kl.item)
                iwaeSum += importanceWeightedLogLikelihood(
                    x, labels: batchLabels, samples: importanceSamples, generator: &generator
                ).reduce(0, +)
            }
        }
        let n = Double(max(count, 1))
        return [("neg_elbo", (bceSum + klSum) / n), ("recon", bceSum / n), ("kl", klSum / n), ("iwae", -iwaeSum / n)]
    }

    /// `log p(x) ~ log (1/k) sum_k p(x|z_k) p(z_k) / q(z_k|x)`, `z_k ~ q(z|x)` (Burda et al. 2016), per
    /// image of `x` ([batch, pixels]), in nats; with labels, `log p(x | y)` of a conditional VAE.
    public func importanceWeightedLogLikelihood(
        _ x: Tensor, labels: [Int]? = nil, samples k: Int, generator: inout RandomGenerator
    ) -> [Double] {
        noGrad {
            let batch = x.shape[0]
            let latent = latentCount
            let pixels = pixelCount
            let (mean, logVariance) = encode(x, labels: labels)
            var logWeights = [[Double]](repeating: [], count: batch)
            for _ in 0..<max(k, 1) {
                let eps = Tensor.randomNormal(mean.shape, generator: &generator)
                let z = mean + (logVariance * 0.5).exp() * eps
                let logits = decodeLogits(z, labels: labels)
                var weights = [Double](repeating: 0, count: batch)
                withExtendedLifetime((x, logits, z, eps, logVariance)) {
                    weights.withUnsafeMutableBufferPointer { out in
                        guard let base = out.baseAddress else { return }
                        let terms = ImportanceWeightTerms(
                            logits: logits.data, x: x.data, z: z.data, eps: eps.data, logVariance: logVariance.data,
                            out: base, pixels: pixels, latent: latent)
                        // Each image's weight alone (the libm log-likelihood in Double was 12% of an epoch on one
                        // thread), so the figures do not depend on the thread count.
                        ParallelSplit.ranges(count: batch, minimumPerThread: 16) { range in
                            for i in range { terms.out[i] = terms.logWeight(image: i) }
                        }
                    }
                }
                for i in 0..<batch { logWeights[i].append(weights[i]) }
            }
            return logWeights.map { GaussianMath.logSumExp($0) - Foundation.log(Double($0.count)) }
        }
    }
}

/// One draw's operands of `importanceWeightedLogLikelihood`, shared by the threads that compute the images'
/// log weights: they read the tensors and each writes its own images' entries of `out`.
private struct ImportanceWeightTerms: @unchecked Sendable {
    let logits: UnsafeMutablePointer<Float>, x: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>
    let eps: UnsafeMutablePointer<Float>, logVariance: UnsafeMutablePointer<Float>
    let out: UnsafeMutablePointer<Double>
    let pixels: Int, latent: Int

    /// `log p(x_i | z) + log p(z) - log q(z | x_i)` for image `i`.
    func logWeight(image i: Int) -> Double {
        let logLikelihood = GaussianMath.bernoulliLogLikelihood(
            logits: logits + i * pixels, targets: x + i * pixels, count: pixels)
        var logPrior = 0.0
        var logPosterior = 0.0
        for j in 0..<latent {
            let zj = Double(z[i * latent + j])
            let e = Double(eps[i * latent + j])
            logPrior += -0.5 * (GaussianMath.logTwoPi + zj * zj)
            logPosterior += -0.5 * (GaussianMath.logTwoPi + Double(logVariance[i * latent + j]) + e * e)
        }
        return logLikelihood + logPrior - logPosterior
    }
}
