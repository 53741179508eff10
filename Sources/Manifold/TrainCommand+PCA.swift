import Base
import Datasets
import Engine

extension TrainCommand {
    /// PCA is fitted in one deterministic pass (`PCAFitting`): no learning rate, no batches, no second
    /// epoch, and the seed draws nothing but the synthetic digits. An option that would do nothing is
    /// refused, naming it, as every command refuses an option its method ignores (rather than recording
    /// it in config.json as if it had been used).
    static func checkPCA(_ request: TrainingRequest) throws(UsageError) {
        if request.learningRate != nil {
            throw UsageError("'pca' takes no '--lr': it is fitted in one pass, with no optimiser")
        }
        if request.batch != nil {
            throw UsageError("'pca' takes no '--batch': it is fitted in one pass over all its training images")
        }
        if let epochs = request.epochs, epochs != 1 {
            throw UsageError("'pca' is fitted in one pass: '--epochs' can only be 1, got \(epochs)")
        }
        let data = request.data ?? "synthetic"
        if request.seed != nil && !DatasetLoader.isSeeded(data) {
            throw UsageError(
                "'pca' takes no '--seed' on '\(Sanitize.line(data, limit: 60))': the fit is deterministic, and only the synthetic digits are drawn from a seed"
            )
        }
    }
}
