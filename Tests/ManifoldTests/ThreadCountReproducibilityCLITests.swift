import Foundation
import Testing

/// `--threads` changes the speed of a training, never its figures: the same command at one thread and
/// at three gives the same checkpoint, byte for byte, for the convolutional models too.
@Suite struct ThreadCountReproducibilityCLITests {
    /// Bug: `train cnn` and `train ddpm --net unet` at `--threads 1` and `--threads 2` saved different
    /// weights (the convolutions summed their weight gradients over one piece of the batch per thread).
    @Test(arguments: [["cnn"], ["ddpm", "--net", "unet"]])
    func convolutionalTrainingIsTheSameAtEveryThreadCount(model: [String]) throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        let tiny = ["--epochs", "1", "--train-limit", "48", "--test-limit", "16", "--batch", "24", "--quiet"]
        for threads in ["1", "3"] {
            let result = try ManifoldBinary.run(
                ["train"] + model + tiny + ["--run", "t\(threads)", "--threads", threads], runsRoot: root)
            #expect(result.status == 0, "\(model) at \(threads) threads: \(result.stderr)")
        }
        for file in ["model.safetensors", "optimizer.safetensors"] {
            let one = FileManager.default.contents(atPath: "\(root)/t1/\(file)")
            let three = FileManager.default.contents(atPath: "\(root)/t3/\(file)")
            #expect(one != nil && one == three, "\(model): \(file) differs between --threads 1 and 3")
        }
    }
}
