import SafeTensors
import TensorCore
import Testing
@testable import NeuralNet

/// Loading a checkpoint into a module: what a damaged file is refused for.
@Suite struct CheckpointTests {
    /// Bug: a model.safetensors whose weights held NaN (bytes flipped to 0xFF) loaded without a word, so
    /// `eval` scored every image as class 0 and exited 0 ("test accuracy 0.08, loss -nan").
    @Test func aTensorHoldingNaNOrAnInfinityIsRefusedAndTheModuleIsUntouched() throws {
        var generator = RandomGenerator(seed: 1)
        let linear = Linear(inputCount: 3, outputCount: 2, generator: &generator)
        let before = linear.namedParameters.map(\.tensor.scalars)
        for (bad, word) in [(Float.nan, "NaN"), (-Float.infinity, "an infinity")] {
            var file = Checkpoint.file(of: linear)
            let index = file.entries.firstIndex { $0.name == "bias" }!
            var values = file.entries[index].values
            values[1] = bad
            file.entries[index] = SafeTensorsEntry(name: "bias", shape: file.entries[index].shape, values: values)
            do {
                try Checkpoint.load(file, into: linear, source: "run/model.safetensors")
                Issue.record("a checkpoint holding \(word) loaded")
            } catch let error as CheckpointError {
                #expect(
                    error.description
                        == "run/model.safetensors: tensor 'bias' holds \(word) at index 1; the file is damaged")
            }
            #expect(linear.namedParameters.map(\.tensor.scalars) == before)
        }
    }

    @Test func aFiniteCheckpointLoads() throws {
        var generator = RandomGenerator(seed: 1)
        let source = Linear(inputCount: 3, outputCount: 2, generator: &generator)
        let target = Linear(inputCount: 3, outputCount: 2, generator: &generator)
        try Checkpoint.load(Checkpoint.file(of: source), into: target, source: "model.safetensors")
        #expect(target.namedParameters.map(\.tensor.scalars) == source.namedParameters.map(\.tensor.scalars))
    }
}
