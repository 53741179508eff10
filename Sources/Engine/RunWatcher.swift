import Base
import Datasets
import Foundation
import Models
import NeuralNet
import SafeTensors
import TensorCore

/// Follows a run that another process is training (a headless run, or one synced from a bigger
/// machine): each step waits briefly, re-reads `metrics.csv` and `config.json` when they change, and
/// for classifier runs reloads `model.safetensors` to show fresh test predictions and features.
public final class RunWatcher: VisualExperiment {
    public let run: RunDirectory
    private let pollInterval: Double
    private var metricsStamp: Date?
    private var modelStamp: Date?
    private var columns: [String: [Double]] = [:]
    private var config: [String: JSONValue] = [:]
    private var view: ClassifierTraining?
    private var problem = ""
    private var dataset: Dataset?

    public init(run: RunDirectory, pollInterval: Double = 0.5) throws {
        guard run.exists else { throw RunError("no run folder '\(run.path)' to watch") }
        self.run = run
        self.pollInterval = pollInterval
        config = try run.readConfig()
        if let kind = config["model"]?.stringValue.flatMap(Classifier.Kind.init(rawValue:)) {
            let spec = config["data"]?.stringValue ?? "synthetic"
            let seed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
            var data = try DatasetLoader.load(spec, seed: seed)
            data = data.subset(train: min(data.trainCount, 1), test: min(data.testCount, 1_000))
            var generator = RandomGenerator(seed: 0)
            let model = Classifier(kind: kind, imageHeight: data.imageHeight, imageWidth: data.imageWidth, classCount: data.classCount, generator: &generator)
            view = ClassifierTraining(model: model, dataset: data, batchSize: 1, learningRate: 0, epochs: 1, seed: 0)
            dataset = data
        }
        poll()
    }

    public var isFinished: Bool { false }

    public var progress: (done: Int, total: Int) {
        (config["epochs_done"]?.integerValue ?? 0, max(config["epochs"]?.integerValue ?? 1, 1))
    }

    public func step() throws -> StepReport {
        Thread.sleep(forTimeInterval: pollInterval)
        poll()
        return StepReport(metrics: [:])
    }

    private func modificationDate(_ file: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: run.file(file)))?[.modificationDate] as? Date
    }

    /// Re-reads what changed; a file caught mid-replacement is simply read on the next poll.
    private func poll() {
        if let stamp = modificationDate("metrics.csv"), stamp != metricsStamp {
            metricsStamp = stamp
            if let bytes = try? run.read("metrics.csv") { columns = RunWatcher.parseMetrics(String(decoding: bytes, as: UTF8.self)) }
            if let fresh = try? run.readConfig() { config = fresh }
        }
        if let view, let stamp = modificationDate("model.safetensors"), stamp != modelStamp {
            do {
                let file = try SafeTensorsFormat.decode(try run.read("model.safetensors"), source: run.file("model.safetensors"))
                try Checkpoint.load(file, into: view.model, source: run.file("model.safetensors"))
                modelStamp = stamp
                problem = ""
            } catch {
                problem = "\(error)"
            }
        }
    }

    /// Columns of a metrics.csv by header name (non-numeric cells are skipped).
    public static func parseMetrics(_ text: String) -> [String: [Double]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [:] }
        var columns: [String: [Double]] = [:]
        for row in lines.dropFirst() {
            for (index, name) in header.enumerated() where index < row.count && !["epoch", "step", "seconds"].contains(name) {
                if let value = Double(row[index]) { columns[name, default: []].append(value) }
            }
        }
        return columns
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        snapshot.epochSeries = columns
        snapshot.epoch = config["epochs_done"]?.integerValue ?? 0
        if let view, modelStamp != nil {
            view.describe(into: &snapshot, includeHeavy: includeHeavy)
        }
        snapshot.series = [:]
        snapshot.figures = [
            ("run", run.name), ("model", config["model"]?.stringValue ?? "?"), ("dataset", config["dataset"]?.stringValue ?? "?"),
            ("epochs", "\(config["epochs_done"]?.integerValue ?? 0)/\(config["epochs"]?.integerValue ?? 0)"),
        ] + (config["test"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { ("test \($0.key)", $0.value.doubleValue.map { String(format: "%.4f", $0) } ?? "-") }
        snapshot.message = problem.isEmpty ? "watching \(run.path)" : problem
    }
}
