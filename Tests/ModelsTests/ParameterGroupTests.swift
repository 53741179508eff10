import NeuralNet
import TensorCore
import Testing

@testable import Models

/// One Adam per parameter group of `model`, named after the group: what `GenerativeTraining` creates
/// (the engine sits above this target, so the tests build them the same way here).
func adamOptimizers(for model: any GenerativeModel, learningRate: Float = 1e-3) -> NamedOptimizers {
    NamedOptimizers(model.parameterGroups) { Adam(parameters: $0.parameters, learningRate: learningRate) }
}
