import Foundation
import NeuralNet
import SafeTensors
import TensorCore

/// Saving and loading a run's checkpoint, for every kind of model: `model.safetensors` (every network,
/// dotted prefixes `encoder.`, `decoder.`, `critic.`, ...), `optimizer.safetensors` (every optimizer's
/// state, each under its name; a single unnamed optimizer without a prefix, as PyTorch writes it),
/// `metrics.csv` and `config.json`.
///
/// The files are written as one group (`RunDirectory.write(files:)`), `config.json` last: a config never
/// claims epochs that the weights do not hold, and a failed write leaves the previous checkpoint.
public enum RunCheckpoint {
    public static func save(
        run: RunDirectory, module: any Module, optimizers: NamedOptimizers, config: RunConfig, metrics: MetricsTable
    ) throws {
        let metadata = [
            "format": "pt", "manifold.model": config.model, "manifold.epochs_done": String(config.epochsDone),
        ]
        var files: [(name: String, bytes: [UInt8])] = [
            ("model.safetensors", try SafeTensorsFormat.encode(Checkpoint.file(of: module, metadata: metadata)))
        ]
        if !optimizers.isEmpty {
            files.append(
                ("optimizer.safetensors", try SafeTensorsFormat.encode(optimizerFile(optimizers, metadata: metadata))))
        }
        files.append(("metrics.csv", Array(metrics.text.utf8)))
        files.append(("config.json", Array((config.json.serialized(pretty: true) + "\n").utf8)))
        try run.write(files: files)
    }

    /// All optimizers' states in one file: tensors `NAME.PARAM.exp_avg`, counters `counter.NAME.step`
    /// (without `NAME.` for an unnamed optimizer).
    public static func optimizerFile(_ optimizers: NamedOptimizers, metadata: [String: String]) -> SafeTensorsFile {
        var entries: [SafeTensorsEntry] = []
        var meta = metadata
        for (name, optimizer) in optimizers.entries {
            let prefix = name.isEmpty ? "" : name + "."
            let state = optimizer.stateDict()
            for (key, value) in state.counters { meta["counter.\(prefix)\(key)"] = String(value) }
            entries += state.tensors.map {
                SafeTensorsEntry(name: prefix + $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars)
            }
        }
        return SafeTensorsFile(entries: entries, metadata: meta)
    }

    /// Loads the weights and, when given, the optimizers' states of a run.
    /// - Throws: a one-line error naming the file on any missing, corrupt or mismatched checkpoint.
    public static func load(
        run: RunDirectory, module: any Module, optimizers: NamedOptimizers? = nil
    ) throws {
        let modelPath = run.file("model.safetensors")
        try Checkpoint.load(
            SafeTensorsFormat.decode(try run.read("model.safetensors"), source: modelPath), into: module,
            source: modelPath)
        guard let optimizers, !optimizers.isEmpty else { return }
        let path = run.file("optimizer.safetensors")
        let file = try SafeTensorsFormat.decode(try run.read("optimizer.safetensors"), source: path)
        for (name, optimizer) in optimizers.entries {
            let prefix = name.isEmpty ? "" : name + "."
            var tensors: [String: Tensor] = [:]
            for entry in file.entries where entry.name.hasPrefix(prefix) {
                tensors[String(entry.name.dropFirst(prefix.count))] = Tensor(shape: entry.shape, scalars: entry.values)
            }
            var counters: [String: Int] = [:]
            for (key, value) in file.metadata where key.hasPrefix("counter.\(prefix)") {
                guard let number = Int(value) else {
                    throw RunError("\(path): metadata '\(key)' is not a whole number")
                }
                counters[String(key.dropFirst("counter.\(prefix)".count))] = number
            }
            do {
                try optimizer.loadStateDict(tensors: tensors, counters: counters)
            } catch {
                throw RunError("\(path): \(error)")
            }
        }
    }
}
