import Foundation

extension RunCheckpoint {
    /// Refuses, before a model is built, a `config.json` whose sizes ask for more weights than the run's
    /// `model.safetensors` can hold (two bytes a weight at the least, F16 and BF16): a damaged or edited
    /// config (`"image_height": 4096`, `"latent": 100000000`) built a model of gigabytes and the command was
    /// killed or trapped ("failed to allocate 17179869184 bytes") before the weights were compared. A model
    /// built after this check is at most half the file's size in weights, or `smallModel` weights: a
    /// smaller mismatch is left to `load`, which names the tensor that differs. A missing or unreadable
    /// file is left to `load` too, which names it.
    /// - Parameters:
    ///   - weights: the weights the sizes need (`Classifier.parameterCount`, or a lower bound that
    ///     holds every weight that grows with the sizes).
    ///   - sizes: the sizes as the message names them ("an mlp of 4096x4096 images and 10 classes").
    /// Weights (64 MB) that a model may have whatever its file holds: refused only past this.
    public static let smallModel = 1 << 24

    public static func checkRoom(run: RunDirectory, weights: Int, sizes: String) throws(RunError) {
        var info = stat()
        guard stat(run.file("model.safetensors"), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return }
        let bytes = Int(info.st_size)
        let (needed, overflow) = weights.multipliedReportingOverflow(by: 2)
        guard overflow || needed > bytes && weights > smallModel else { return }
        throw RunError(
            "\(run.file("config.json")): its sizes (\(sizes)) need \(weights) weights, but model.safetensors "
                + "(\(bytes) bytes) holds at most \(bytes / 2); the config or the weights are damaged")
    }
}
