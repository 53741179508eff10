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
}
