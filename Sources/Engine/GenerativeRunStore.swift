import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// Saving and loading a generative run: every network in one `model.safetensors` (dotted prefixes
/// `encoder.`, `decoder.`, `discriminator.`, `critic.`, ...), every optimizer's state in one
/// `optimizer.safetensors` (each prefixed by the optimizer's name), `metrics.csv`, and `config.json`
/// last, each written atomically.
public enum GenerativeRunStore {
    public static func save(
        run: RunDirectory, model: any Module, optimizers: [(name: String, optimizer: any Optimizer)], config: RunConfig,
        metricsHeader: [String], metricsRows: [String]
    ) throws {
        let metadata = [
            "format": "pt", "manifold.model": config.model, "manifold.epochs_done": String(config.epochsDone),
        ]
        var files: [(name: String, bytes: [UInt8])] = [
            ("model.safetensors", try SafeTensorsFormat.encode(Checkpoint.file(of: model, metadata: metadata)))
        ]
        if !optimizers.isEmpty {
            files.append(
                ("optimizer.safetensors", try SafeTensorsFormat.encode(optimizerFile(optimizers, metadata: metadata))))
        }
        files.append(
            (
                "metrics.csv",
                Array(
                    ((["epoch,step,seconds," + metricsHeader.joined(separator: ",")] + metricsRows).joined(
                        separator: "\n") + "\n").utf8)
            ))
        files.append(("config.json", Array((config.json.serialized(pretty: true) + "\n").utf8)))
        try run.write(files: files)
    }

    /// A metrics.csv row: epoch, step, seconds, then the named values in `header` order.
    public static func row(_ summary: EpochSummary, header: [String]) -> String {
        ([String(summary.epoch), String(summary.step), String(format: "%.3f", summary.seconds)]
            + header.map { name in summary.value(name).map { String(format: "%.6f", $0) } ?? "" }).joined(
                separator: ",")
    }

    /// All optimizers' states in one file: tensors `NAME.PARAM.exp_avg`, counters `counter.NAME.step`.
    public static func optimizerFile(
        _ optimizers: [(name: String, optimizer: any Optimizer)], metadata: [String: String]
    ) -> SafeTensorsFile {
        var entries: [SafeTensorsEntry] = []
        var meta = metadata
        for (name, optimizer) in optimizers {
            let state = optimizer.stateDict()
            for (key, value) in state.counters { meta["counter.\(name).\(key)"] = String(value) }
            entries += state.tensors.map {
                SafeTensorsEntry(name: "\(name).\($0.name)", shape: $0.tensor.shape, values: $0.tensor.scalars)
            }
        }
        return SafeTensorsFile(entries: entries, metadata: meta)
    }

    /// Loads the weights and, when given, the optimizers' states of a run.
    /// - Throws: a one-line error naming the file on any missing, corrupt or mismatched checkpoint.
    public static func load(
        run: RunDirectory, model: any Module, optimizers: [(name: String, optimizer: any Optimizer)]?
    ) throws {
        let modelPath = run.file("model.safetensors")
        try Checkpoint.load(
            SafeTensorsFormat.decode(try run.read("model.safetensors"), source: modelPath), into: model,
            source: modelPath)
        guard let optimizers, !optimizers.isEmpty else { return }
        let path = run.file("optimizer.safetensors")
        let file = try SafeTensorsFormat.decode(try run.read("optimizer.safetensors"), source: path)
        for (name, optimizer) in optimizers {
            var tensors: [String: Tensor] = [:]
            let prefix = name + "."
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
