import SafeTensors
import TensorCore

/// Moves a module's parameters and an optimizer's state to and from safetensors files.
///
/// Names and layouts are PyTorch's, so `model.safetensors` loads with `safetensors.torch.load_file` +
/// `load_state_dict` for the same architecture, and the other way round. Loading checks every name and
/// shape before any parameter is changed, so a mismatched file leaves the module untouched.
public enum Checkpoint {
    /// The module's parameters as a safetensors file.
    public static func file(of module: any Module, metadata: [String: String] = [:]) -> SafeTensorsFile {
        SafeTensorsFile(
            entries: module.namedParameters.map { SafeTensorsEntry(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) },
            metadata: metadata)
    }

    /// Copies a file's tensors into the module's parameters.
    /// - Throws: `CheckpointError` naming the first missing, unexpected or mis-shaped tensor, or the first
    ///   tensor holding a NaN or an infinity (training never saves one, so the file is damaged; loaded, it
    ///   would turn every output into NaN and be scored as a silent class 0).
    public static func load(_ file: SafeTensorsFile, into module: any Module, source: String) throws {
        let parameters = module.namedParameters
        var byName: [String: SafeTensorsEntry] = [:]
        for entry in file.entries { byName[entry.name] = entry }
        for (name, tensor) in parameters {
            guard let entry = byName[name] else {
                throw CheckpointError(description: "\(source): \(missingMessage(name, byName: byName))")
            }
            guard entry.shape == tensor.shape else {
                throw CheckpointError(description: "\(source): tensor '\(name)' has shape \(entry.shape), the model expects \(tensor.shape)")
            }
        }
        let expected = Set(parameters.map(\.name))
        if let extra = file.entries.first(where: { !expected.contains($0.name) }) {
            throw CheckpointError(description: "\(source): unexpected tensor '\(extra.name)' (is this checkpoint for another model?)")
        }
        for (name, _) in parameters {
            let values = byName[name]!.values
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                let what = values[index].isNaN ? "NaN" : "an infinity"
                throw CheckpointError(
                    description: "\(source): tensor '\(name)' holds \(what) at index \(index); the file is damaged")
            }
        }
        for (name, tensor) in parameters {
            let values = byName[name]!.values
            values.withUnsafeBufferPointer { source in
                if tensor.count > 0 { tensor.data.update(from: source.baseAddress!, count: tensor.count) }
            }
        }
    }

    /// Why `name` is missing: a weight average (`ema.NAME`, what a DDPM run samples with) whose weight the file
    /// has is what a PyTorch `state_dict` lacks, so the line says what to store; any other name means the
    /// file is for another model.
    static func missingMessage(_ name: String, byName: [String: SafeTensorsEntry]) -> String {
        let averaged = String(name.dropFirst("ema.".count))
        guard name.hasPrefix("ema."), byName[averaged] != nil else {
            return "missing tensor '\(name)' (is this checkpoint for another model?)"
        }
        return "missing tensor '\(name)', the weight average of '\(averaged)' this run samples with (store the "
            + "average, or a copy of the weights, under 'ema.' + each name)"
    }

    /// The optimizer's state as a safetensors file; counters go into the metadata.
    public static func file(of optimizer: any Optimizer, metadata: [String: String] = [:]) -> SafeTensorsFile {
        let state = optimizer.stateDict()
        var meta = metadata
        for (key, value) in state.counters { meta["counter.\(key)"] = String(value) }
        return SafeTensorsFile(
            entries: state.tensors.map { SafeTensorsEntry(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) },
            metadata: meta)
    }

    /// Restores optimizer state from a file written by `file(of:)`.
    public static func load(_ file: SafeTensorsFile, into optimizer: any Optimizer, source: String) throws {
        var tensors: [String: Tensor] = [:]
        for entry in file.entries { tensors[entry.name] = Tensor(shape: entry.shape, scalars: entry.values) }
        var counters: [String: Int] = [:]
        for (key, value) in file.metadata where key.hasPrefix("counter.") {
            guard let number = Int(value) else {
                throw CheckpointError(description: "\(source): metadata '\(key)' is not a whole number")
            }
            counters[String(key.dropFirst("counter.".count))] = number
        }
        do {
            try optimizer.loadStateDict(tensors: tensors, counters: counters)
        } catch let error as OptimizerStateError {
            throw CheckpointError(description: "\(source): \(error.description)")
        }
    }
}

/// A checkpoint that does not fit the model or optimizer it is loaded into.
public struct CheckpointError: Error, CustomStringConvertible {
    public let description: String
}
