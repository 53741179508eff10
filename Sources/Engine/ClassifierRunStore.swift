import Models
import NeuralNet
import SafeTensors

/// Saving and loading a classifier run: weights, optimizer state, config and metrics, each atomically.
///
/// Order matters for crash safety: the checkpoint files go first and `config.json` (which records how
/// many epochs are done) last, so a config never claims epochs that the weights do not hold.
public enum ClassifierRunStore {
    public static func save(
        run: RunDirectory, model: Classifier, optimizer: any Optimizer, config: RunConfig, metricsRows: [String]
    ) throws {
        let metadata = [
            "format": "pt", "manifold.model": config.model, "manifold.epochs_done": String(config.epochsDone),
        ]
        try run.write(files: [
            ("model.safetensors", try encode(Checkpoint.file(of: model, metadata: metadata))),
            ("optimizer.safetensors", try encode(Checkpoint.file(of: optimizer, metadata: metadata))),
            ("metrics.csv", Array(MetricsTable.text(rows: metricsRows).utf8)),
            ("config.json", Array((config.json.serialized(pretty: true) + "\n").utf8)),
        ])
    }

    /// Loads the weights (and, when given, the optimizer state) of a run.
    public static func load(run: RunDirectory, model: any Module, optimizer: (any Optimizer)?) throws {
        let modelPath = run.file("model.safetensors")
        try Checkpoint.load(
            SafeTensorsFormat.decode(try run.read("model.safetensors"), source: modelPath), into: model,
            source: modelPath)
        if let optimizer {
            let optimizerPath = run.file("optimizer.safetensors")
            try Checkpoint.load(
                SafeTensorsFormat.decode(try run.read("optimizer.safetensors"), source: optimizerPath), into: optimizer,
                source: optimizerPath)
        }
    }

    private static func encode(_ file: SafeTensorsFile) throws -> [UInt8] {
        try SafeTensorsFormat.encode(file)
    }
}
