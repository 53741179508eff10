import Models
import NeuralNet

/// A training experiment whose model and optimizers a run folder checkpoints: classifiers, generative
/// models and PCA alike, so `TrainingSession` saves and resumes them all the same way. The experiment
/// creates and owns the optimizers; a model only declares its parameters (and, for a generative model,
/// which group each optimizer updates).
public protocol ModelTraining: Experiment {
    /// What `model.safetensors` holds.
    var module: any Module { get }
    /// What `optimizer.safetensors` holds, each optimizer under its name (a single unnamed optimizer is
    /// stored without a prefix, as PyTorch's `optimizer.state_dict()` would be).
    var optimizers: NamedOptimizers { get }
    /// Epochs completed, including those before a resume.
    var completedEpochs: Int { get }
}

extension ClassifierTraining: ModelTraining {
    public var module: any Module { model }
    public var optimizers: NamedOptimizers { NamedOptimizers([("", optimizer)]) }
}

extension GenerativeTraining: ModelTraining {
    public var module: any Module { model }
}
