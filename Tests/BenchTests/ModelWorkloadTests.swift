import Foundation
import Models
import NeuralNet
import TensorCore
import Testing

@testable import Bench

/// `bench models`' operation counts, checked against the parameters of the real networks: a linear
/// layer's multiply-adds per image are its weight count, a convolution's its weight count times its
/// output positions.
@Suite struct ModelWorkloadTests {
    /// Multiply-adds per image of `parameters`: 2-D weights once, 4-D ones at `positions(name)`.
    func multiplyAdds(_ parameters: [(name: String, tensor: Tensor)], positions: (String) -> Int = { _ in 1 }) -> Double
    {
        parameters.reduce(0.0) { total, parameter in
            switch parameter.tensor.shape.count {
            case 2: return total + Double(parameter.tensor.count)
            case 4: return total + Double(parameter.tensor.count * positions(parameter.name))
            default: return total
            }
        }
    }

    @Test func perceptronCountsAreTheirWeights() {
        var generator = RandomGenerator(seed: 0)
        let mlp = Classifier(kind: .mlp, generator: &generator)
        #expect(ModelWorkload.forwardMultiplyAdds(.mlp, side: 28, classes: 10) == multiplyAdds(mlp.namedParameters))
        #expect(ModelWorkload.forwardMultiplyAdds(.pgd, side: 28, classes: 10) == 784 * 256 + 256 * 256 + 2560)
        let ae = Autoencoder(latent: 30, generator: &generator)
        #expect(ModelWorkload.forwardMultiplyAdds(.ae, side: 28, classes: 10) == multiplyAdds(ae.namedParameters))
        let vae = VariationalAutoencoder(latent: 20, generator: &generator)
        #expect(ModelWorkload.forwardMultiplyAdds(.vae, side: 28, classes: 10) == multiplyAdds(vae.namedParameters))
        let ddpm = DDPM(network: .mlpTime, generator: &generator)
        #expect(
            ModelWorkload.forwardMultiplyAdds(.ddpmMLP, side: 28, classes: 10)
                == multiplyAdds(ddpm.namedParameters.filter { !$0.name.hasPrefix("ema.") }))
    }

    @Test func convolutionCountsAreWeightsTimesOutputPositions() {
        var generator = RandomGenerator(seed: 0)
        let cnn = Classifier(kind: .cnn, generator: &generator)
        let convolutions = cnn.namedParameters.filter { $0.tensor.shape.count == 4 }.map(\.name)
        #expect(convolutions.count == 2)
        let cnnCount = multiplyAdds(cnn.namedParameters) { $0 == convolutions[0] ? 28 * 28 : 14 * 14 }
        #expect(ModelWorkload.forwardMultiplyAdds(.cnn, side: 28, classes: 10) == cnnCount)

        let unet = DDPM(network: .unet, generator: &generator)
        let full = ["unet.input", "unet.down.0.", "unet.up.1.", "unet.output"]
        let half = ["unet.downsample.0", "unet.down.1.", "unet.up.0."]
        let count = multiplyAdds(unet.namedParameters.filter { !$0.name.hasPrefix("ema.") }) { name in
            if full.contains(where: name.hasPrefix) { return 28 * 28 }
            if half.contains(where: name.hasPrefix) { return 14 * 14 }
            return 7 * 7
        }
        #expect(ModelWorkload.forwardMultiplyAdds(.ddpmUNet, side: 28, classes: 10) == count)
        // DiffusionUNet's documentation: about 190 MFLOP per image.
        #expect(abs(2 * count / 1e6 - 186) < 1)
    }

    @Test func trainingStepsStayInsideOneEpochAndTheRestScale() {
        #expect(ModelWorkload.mlp.steps(scale: 1, trainCount: 60_000, testCount: 10) == 467)
        #expect(ModelWorkload.mlp.steps(scale: 1, trainCount: 600, testCount: 10) == 3)
        #expect(ModelWorkload.ae.steps(scale: 0.01, trainCount: 60_000, testCount: 10) == 2)
        #expect(ModelWorkload.pgd.steps(scale: 0.01, trainCount: 600, testCount: 1000) == 100)
        #expect(ModelWorkload.ddpmSample.steps(scale: 0.001, trainCount: 600, testCount: 10) == 2)
        // Bug: an attack counted 100 images (and their GFLOP) where the test set had 5, so its GEMM share
        // read 307%; it counts the images it attacks.
        #expect(ModelWorkload.fgsm.steps(scale: 0.01, trainCount: 600, testCount: 5) == 5)
        #expect(ModelWorkload.fgsm.steps(scale: 1, trainCount: 600, testCount: 4000) == 4000)
        #expect(ModelWorkload.cw.steps(scale: 1, trainCount: 600, testCount: 4000) == 1000)
        // A training step is three forward passes of 128 images; PGD-20 is 41 forward passes an image.
        let forward = 2 * ModelWorkload.forwardMultiplyAdds(.mlp, side: 28, classes: 10)
        #expect(ModelWorkload.mlp.flops(steps: 2, side: 28, classes: 10) == 3 * forward * 256)
        #expect(ModelWorkload.pgd.flops(steps: 10, side: 28, classes: 10) == 41 * forward * 10)
    }
}
