import NeuralNet
import TensorCore

/// A deep autoencoder (Hinton & Salakhutdinov 2006; MATH.md section 2): encoder 784-512-128-K with
/// ReLU and a linear code, decoder K-128-512-784 with ReLU and a sigmoid output, trained on the MSE
/// `||x - psi(phi(x))||^2` (mean per pixel); one parameter group, `autoencoder`, holds both networks.
///
/// Parameters are named as PyTorch's `encoder = nn.Sequential(...)`, `decoder = nn.Sequential(...)`.
public final class Autoencoder: GenerativeModel {
    public let latentCount: Int
    public let encoder: Sequential
    public let decoder: Sequential
    public let namedParameters: [(name: String, tensor: Tensor)]

    public init(pixels: Int = 784, latent: Int, generator: inout RandomGenerator) {
        latentCount = latent
        encoder = Autoencoder.makeEncoder(pixels: pixels, latent: latent, generator: &generator)
        decoder = Autoencoder.makeDecoder(pixels: pixels, latent: latent, generator: &generator)
        namedParameters = prefixed("encoder", encoder.namedParameters) + prefixed("decoder", decoder.namedParameters)
    }

    /// 784-512-128-K, ReLU, linear code.
    public static func makeEncoder(pixels: Int, latent: Int, generator: inout RandomGenerator) -> Sequential {
        Networks.perceptron([pixels, 512, 128, latent], activation: { ReLU() }, generator: &generator)
    }

    /// K-128-512-784, ReLU; the sigmoid is applied by `decode`.
    public static func makeDecoder(pixels: Int, latent: Int, generator: inout RandomGenerator) -> Sequential {
        Networks.perceptron([latent, 128, 512, pixels], activation: { ReLU() }, generator: &generator)
    }

    public var kind: String { "ae" }

    /// Codes `[batch, K]` of images `[batch, pixels]`.
    public func encode(_ x: Tensor) -> Tensor { encoder(x) }

    /// Images in (0, 1) from codes.
    public func decode(_ z: Tensor) -> Tensor { decoder(z).sigmoid() }

    public func callAsFunction(_ input: Tensor) -> Tensor { decode(encode(input)) }

    public var parameterGroups: [ParameterGroup] { [ParameterGroup("autoencoder", namedParameters)] }

    public func trainStep(_ batch: Tensor, optimizers: NamedOptimizers, generator: inout RandomGenerator) throws
        -> [(name: String, value: Double)]
    {
        let optimizer = optimizers["autoencoder"]
        optimizer.zeroGradients()
        let loss = Loss.meanSquaredError(self(batch), batch)
        try Networks.checkFinite(loss.item, "autoencoder loss")
        loss.backward()
        optimizer.step()
        return [("loss", Double(loss.item)), ("recon", Double(loss.item))]
    }

    public func evaluate(images: [Float], generator: inout RandomGenerator) -> [(name: String, value: Double)] {
        [("mse", Autoencoder.reconstructionError(images: images, pixels: encoder.inputCount) { self($0) })]
    }

    /// Mean squared error per pixel of `reconstruct` over `images`.
    public static func reconstructionError(images: [Float], pixels: Int, reconstruct: (Tensor) -> Tensor) -> Double {
        var total = 0.0
        noGrad {
            Networks.forEachBatch(images, pixels: pixels) { x in total += Networks.squaredError(reconstruct(x), x) }
        }
        return images.isEmpty ? 0 : total / Double(images.count)
    }
}

extension Sequential {
    /// Input width of the first Linear layer.
    var inputCount: Int { layers.lazy.compactMap { $0 as? Linear }.first?.inputCount ?? 0 }
    /// Output width of the last Linear layer.
    var outputCount: Int { layers.reversed().lazy.compactMap { $0 as? Linear }.first?.outputCount ?? 0 }
}
