import Foundation
import NeuralNet
import SafeTensors
import TensorCore
import Testing

@testable import Models

/// Checkpoints written by PyTorch (`save_file(model.state_dict(), ...)`) loaded into Manifold's models.
@Suite struct CheckpointInteropTests {
    /// Bug: a DDPM trained in PyTorch and saved as README says (`save_file(model.state_dict(), ...)`) into a
    /// run with a weight average was refused with "missing tensor 'ema.network.0.weight' (is this checkpoint
    /// for another model?)": the model was the right one, and nothing said what `ema.*` is or what to store.
    /// Now the line names the weight the average belongs to and what the file needs.
    @Test func aDDPMFileWithoutItsWeightAverageSaysWhatIsMissing() throws {
        var generator = RandomGenerator(seed: 1)
        let averaged = DDPM(pixels: 6, hidden: 5, embedding: 4, averageDecay: 0.5, generator: &generator)
        let plain = DDPM(pixels: 6, hidden: 5, embedding: 4, generator: &generator)
        let before = averaged.namedParameters.map(\.tensor.scalars)
        do {
            try Checkpoint.load(Checkpoint.file(of: plain), into: averaged, source: "run/model.safetensors")
            Issue.record("a file without the average loaded")
        } catch let error as CheckpointError {
            #expect(
                error.description
                    == "run/model.safetensors: missing tensor 'ema.network.0.weight', the weight average of "
                    + "'network.0.weight' this run samples with (store the average, or a copy of the weights, "
                    + "under 'ema.' + each name)")
        }
        #expect(averaged.namedParameters.map(\.tensor.scalars) == before)

        // A file that lacks the weight itself is still for another model.
        var file = Checkpoint.file(of: averaged)
        file.entries.removeAll { $0.name == "network.2.bias" }
        #expect(throws: CheckpointError.self) {
            try Checkpoint.load(file, into: averaged, source: "m")
        }
        do {
            try Checkpoint.load(file, into: averaged, source: "m")
        } catch let error as CheckpointError {
            #expect(error.description == "m: missing tensor 'network.2.bias' (is this checkpoint for another model?)")
        }
    }

    /// README's tables of PyTorch modules, pinned: every model's checkpoint names and shapes (sorted) are those of
    /// the `state_dict` of the module `Sources/Bench/Scripts/checkpoint_torch.py` builds for the same config
    /// (4x4 images, 3 classes, K 2; 8x8 for the U-Net). The expected strings were printed once by PyTorch 2.13
    /// from `checkpoint_torch.build(config).state_dict()`.
    @Test func everyModelsCheckpointNamesAndShapesAreThoseOfItsPyTorchModule() {
        var g = RandomGenerator(seed: 3)
        let cases: [(String, any Module, String)] = [
            (
                "mlp", Classifier(kind: .mlp, imageHeight: 4, imageWidth: 4, classCount: 3, generator: &g),
                "0.bias[256]; 0.weight[256,16]; 2.bias[256]; 2.weight[256,256]; 4.bias[3]; 4.weight[3,256]"
            ),
            (
                "cnn", Classifier(kind: .cnn, imageHeight: 4, imageWidth: 4, classCount: 3, generator: &g),
                "0.bias[32]; 0.weight[32,1,3,3]; 3.bias[64]; 3.weight[64,32,3,3]; 7.bias[128]; 7.weight[128,64]; "
                    + "9.bias[3]; 9.weight[3,128]"
            ),
            (
                "cnn madry",
                Classifier(
                    kind: .cnn, architecture: .madry, imageHeight: 4, imageWidth: 4, classCount: 3, generator: &g),
                "0.bias[32]; 0.weight[32,1,5,5]; 3.bias[64]; 3.weight[64,32,5,5]; 7.bias[1024]; "
                    + "7.weight[1024,64]; 9.bias[3]; 9.weight[3,1024]"
            ),
            (
                "cnn wong",
                Classifier(
                    kind: .cnn, architecture: .wong, imageHeight: 4, imageWidth: 4, classCount: 3, generator: &g),
                "0.bias[16]; 0.weight[16,1,4,4]; 2.bias[32]; 2.weight[32,16,4,4]; 5.bias[100]; 5.weight[100,32]; "
                    + "7.bias[3]; 7.weight[3,100]"
            ),
            (
                "ae", Autoencoder(pixels: 16, latent: 2, generator: &g),
                "decoder.0.bias[128]; decoder.0.weight[128,2]; decoder.2.bias[512]; decoder.2.weight[512,128]; "
                    + "decoder.4.bias[16]; decoder.4.weight[16,512]; encoder.0.bias[512]; encoder.0.weight[512,16]; "
                    + "encoder.2.bias[128]; encoder.2.weight[128,512]; encoder.4.bias[2]; encoder.4.weight[2,128]"
            ),
            (
                "aae", AdversarialAutoencoder(pixels: 16, latent: 2, prior: .gaussian, generator: &g),
                "decoder.0.bias[128]; decoder.0.weight[128,2]; decoder.2.bias[512]; decoder.2.weight[512,128]; "
                    + "decoder.4.bias[16]; decoder.4.weight[16,512]; discriminator.0.bias[128]; "
                    + "discriminator.0.weight[128,2]; discriminator.2.bias[128]; discriminator.2.weight[128,128]; "
                    + "discriminator.4.bias[1]; discriminator.4.weight[1,128]; encoder.0.bias[512]; "
                    + "encoder.0.weight[512,16]; encoder.2.bias[128]; encoder.2.weight[128,512]; encoder.4.bias[2]; "
                    + "encoder.4.weight[2,128]"
            ),
            (
                "wae critic", WassersteinAutoencoder(pixels: 16, latent: 2, penalty: .critic, generator: &g),
                "critic.0.bias[128]; critic.0.weight[128,2]; critic.2.bias[128]; critic.2.weight[128,128]; "
                    + "critic.4.bias[1]; critic.4.weight[1,128]; decoder.0.bias[128]; decoder.0.weight[128,2]; "
                    + "decoder.2.bias[512]; decoder.2.weight[512,128]; decoder.4.bias[16]; decoder.4.weight[16,512]; "
                    + "encoder.0.bias[512]; encoder.0.weight[512,16]; encoder.2.bias[128]; encoder.2.weight[128,512]; "
                    + "encoder.4.bias[2]; encoder.4.weight[2,128]"
            ),
            (
                "wae mmd", WassersteinAutoencoder(pixels: 16, latent: 2, penalty: .mmd, generator: &g),
                "decoder.0.bias[128]; decoder.0.weight[128,2]; decoder.2.bias[512]; decoder.2.weight[512,128]; "
                    + "decoder.4.bias[16]; decoder.4.weight[16,512]; encoder.0.bias[512]; encoder.0.weight[512,16]; "
                    + "encoder.2.bias[128]; encoder.2.weight[128,512]; encoder.4.bias[2]; encoder.4.weight[2,128]"
            ),
            (
                "vae", VariationalAutoencoder(pixels: 16, latent: 2, generator: &g),
                "fc1.bias[400]; fc1.weight[400,16]; fc21.bias[2]; fc21.weight[2,400]; fc22.bias[2]; "
                    + "fc22.weight[2,400]; fc3.bias[400]; fc3.weight[400,2]; fc4.bias[16]; fc4.weight[16,400]"
            ),
            (
                "vae conditional", VariationalAutoencoder(pixels: 16, latent: 2, classCount: 3, generator: &g),
                "fc1.bias[400]; fc1.weight[400,19]; fc21.bias[2]; fc21.weight[2,400]; fc22.bias[2]; "
                    + "fc22.weight[2,400]; fc3.bias[400]; fc3.weight[400,5]; fc4.bias[16]; fc4.weight[16,400]"
            ),
            (
                "dae", DenoisingAutoencoder(pixels: 16, sigmas: [1], generator: &g),
                "network.0.bias[512]; network.0.weight[512,16]; network.2.bias[512]; network.2.weight[512,512]; "
                    + "network.4.bias[16]; network.4.weight[16,512]"
            ),
            (
                "dae 2 levels", DenoisingAutoencoder(pixels: 16, sigmas: [1, 0.5], generator: &g),
                "network.0.bias[512]; network.0.weight[512,18]; network.2.bias[512]; network.2.weight[512,512]; "
                    + "network.4.bias[16]; network.4.weight[16,512]"
            ),
            (
                "ddpm mlp", DDPM(pixels: 16, network: .mlp, generator: &g),
                "network.0.bias[1024]; network.0.weight[1024,144]; network.2.bias[1024]; "
                    + "network.2.weight[1024,1024]; network.4.bias[16]; network.4.weight[16,1024]"
            ),
            (
                "ddpm mlp-t", DDPM(pixels: 16, network: .mlpTime, generator: &g),
                "network.0.bias[1024]; network.0.weight[1024,144]; network.2.bias[1024]; "
                    + "network.2.weight[1024,1024]; network.4.bias[16]; network.4.weight[16,1024]; "
                    + "time.0.weight[1024,128]; time.1.weight[16,128]"
            ),
            (
                "ddpm unet conditional", DDPM(pixels: 64, network: .unet, classCount: 3, generator: &g),
                "unet.class.weight[4,128]; unet.down.0.conv1.bias[32]; unet.down.0.conv1.weight[32,32,3,3]; "
                    + "unet.down.0.conv2.bias[32]; unet.down.0.conv2.weight[32,32,3,3]; unet.down.0.norm1.bias[32]; "
                    + "unet.down.0.norm1.weight[32]; unet.down.0.norm2.bias[32]; unet.down.0.norm2.weight[32]; "
                    + "unet.down.0.time.bias[32]; unet.down.0.time.weight[32,128]; unet.down.1.conv1.bias[64]; "
                    + "unet.down.1.conv1.weight[64,64,3,3]; unet.down.1.conv2.bias[64]; "
                    + "unet.down.1.conv2.weight[64,64,3,3]; unet.down.1.norm1.bias[64]; unet.down.1.norm1.weight[64]; "
                    + "unet.down.1.norm2.bias[64]; unet.down.1.norm2.weight[64]; unet.down.1.time.bias[64]; "
                    + "unet.down.1.time.weight[64,128]; unet.downsample.0.bias[64]; "
                    + "unet.downsample.0.weight[64,32,3,3]; unet.downsample.1.bias[64]; "
                    + "unet.downsample.1.weight[64,64,3,3]; unet.input.bias[32]; unet.input.weight[32,1,3,3]; "
                    + "unet.middle.conv1.bias[64]; unet.middle.conv1.weight[64,64,3,3]; unet.middle.conv2.bias[64]; "
                    + "unet.middle.conv2.weight[64,64,3,3]; unet.middle.norm1.bias[64]; unet.middle.norm1.weight[64]; "
                    + "unet.middle.norm2.bias[64]; unet.middle.norm2.weight[64]; unet.middle.time.bias[64]; "
                    + "unet.middle.time.weight[64,128]; unet.output.conv.bias[1]; unet.output.conv.weight[1,32,3,3]; "
                    + "unet.output.norm.bias[32]; unet.output.norm.weight[32]; unet.time.0.bias[128]; "
                    + "unet.time.0.weight[128,128]; unet.time.2.bias[128]; unet.time.2.weight[128,128]; "
                    + "unet.up.0.conv1.bias[64]; unet.up.0.conv1.weight[64,128,3,3]; unet.up.0.conv2.bias[64]; "
                    + "unet.up.0.conv2.weight[64,64,3,3]; unet.up.0.norm1.bias[128]; unet.up.0.norm1.weight[128]; "
                    + "unet.up.0.norm2.bias[64]; unet.up.0.norm2.weight[64]; unet.up.0.skip.bias[64]; "
                    + "unet.up.0.skip.weight[64,128,1,1]; unet.up.0.time.bias[64]; unet.up.0.time.weight[64,128]; "
                    + "unet.up.1.conv1.bias[32]; unet.up.1.conv1.weight[32,96,3,3]; unet.up.1.conv2.bias[32]; "
                    + "unet.up.1.conv2.weight[32,32,3,3]; unet.up.1.norm1.bias[96]; unet.up.1.norm1.weight[96]; "
                    + "unet.up.1.norm2.bias[32]; unet.up.1.norm2.weight[32]; unet.up.1.skip.bias[32]; "
                    + "unet.up.1.skip.weight[32,96,1,1]; unet.up.1.time.bias[32]; unet.up.1.time.weight[32,128]"
            ),
            (
                "pca", PCA(components: 2, features: 16),
                "components[2,16]; explained_variance[2]; mean[16]; total_variance[1]"
            ),
        ]
        for (label, model, expected) in cases {
            let names = model.namedParameters.map {
                "\($0.name)[\($0.tensor.shape.map(String.init).joined(separator: ","))]"
            }
            #expect(names.sorted().joined(separator: "; ") == expected, "\(label)")
        }
        // A weight average adds ema.NAME for every weight NAME, nothing else.
        let averaged = DDPM(pixels: 64, network: .unet, averageDecay: 0.5, generator: &g)
        let trained = averaged.trainedParameters.map(\.name)
        #expect(averaged.namedParameters.map(\.name) == trained + trained.map { "ema." + $0 })
    }

    /// The DDPM networks give PyTorch's noise predictions. Every weight is set by a formula (the k-th tensor in
    /// name order, element i: 0.2 sin(0.7 i + 1.3 k + 0.1)) and the input is row r, pixel j: sin(0.3 j + 2 r),
    /// at steps 3 and 700 (the U-Net: class 1 and "no label"); the expected values were computed once by
    /// `checkpoint_torch.py`'s modules in PyTorch 2.13 (float32), the same weights loaded by name.
    @Test func theDDPMNetworksGivePyTorchsNoisePredictions() {
        var g = RandomGenerator(seed: 3)
        let cases: [(DDPM, [Int]?, [(Int, Float)], [Float])] = [
            (
                DDPM(pixels: 64, network: .unet, classCount: 3, generator: &g), [1, 3],
                [(0, -0.268626), (29, -0.305402), (63, 0.066730), (69, -0.264494), (100, -0.198974), (126, 0.100231)],
                [-10.19849, -9.27955]
            ),
            (
                DDPM(pixels: 16, network: .mlpTime, generator: &g), nil,
                [(0, -11.029811), (5, 13.476022), (15, 6.912938), (21, 13.049205), (28, -10.605203), (30, -0.826521)],
                [-9.73553, -8.51839]
            ),
        ]
        for (model, labels, picks, rowSums) in cases {
            for (k, parameter) in model.trainedParameters.sorted(by: { $0.name < $1.name }).enumerated() {
                for i in 0..<parameter.tensor.count {
                    parameter.tensor.data[i] = Float(0.2 * sin(0.7 * Double(i) + 1.3 * Double(k) + 0.1))
                }
            }
            let pixels = model.pixelCount
            let x = Tensor(
                shape: [2, pixels],
                scalars: (0..<(2 * pixels)).map { Float(sin(0.3 * Double($0 % pixels) + 2 * Double($0 / pixels))) })
            let eps = noGrad { model.predictNoise(x, timesteps: [3, 700], labels: labels) }
            for (index, value) in picks {
                #expect(
                    abs(eps.data[index] - value) < 2e-4,
                    "\(model.architecture) [\(index)]: \(eps.data[index]), PyTorch \(value)")
            }
            for row in 0..<2 {
                let sum = (0..<pixels).reduce(Float(0)) { $0 + eps.data[row * pixels + $1] }
                #expect(
                    abs(sum - rowSums[row]) < 2e-3,
                    "\(model.architecture) row \(row) sum: \(sum), PyTorch \(rowSums[row])")
            }
        }
    }
}
