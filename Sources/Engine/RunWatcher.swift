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
///
/// Progress and throughput are the trainer's, in its optimizer steps (from metrics.csv's `step` and
/// `seconds` columns), not the watcher's polls: the rate is the last epoch's steps over its seconds,
/// and the planned total is `epochs` times the steps of an epoch. The watch is finished once config.json
/// says `epochs_done` reached `epochs`. An unfinished run whose lock no process holds (its trainer was
/// interrupted or killed) is said to be not trained, without an ETA or a rate, until a trainer takes it again.
public final class RunWatcher: VisualExperiment {
    public let run: RunDirectory
    private let pollInterval: Double
    private var metricsStamp: Date?
    private var configStamp: Date?
    private var modelStamp: Date?
    private var columns: [String: [Double]] = [:]
    /// metrics.csv's `step` and `seconds` columns (cumulative steps, seconds of each epoch).
    private var stepColumn: [Double] = []
    private var secondsColumn: [Double] = []
    private var config: [String: JSONValue] = [:]
    private var view: ClassifierTraining?
    private var problem = ""
    /// Whether the run's folder was gone at the last poll (deleted while watched).
    public private(set) var isGone = false
    /// Whether no process held the run's lock at the last poll, the run unfinished: nobody trains it now. A look
    /// at the lock file each poll (an open, a shared `flock` tried and undone), cheap beside the polls' reads.
    public private(set) var isUntrained = false
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
            let model = Classifier(
                kind: kind, architecture: .of(config), imageHeight: data.imageHeight, imageWidth: data.imageWidth,
                classCount: data.classCount,
                generator: &generator)
            view = ClassifierTraining(model: model, dataset: data, batchSize: 1, learningRate: 0, epochs: 1, seed: 0)
            dataset = data
        }
        poll()
    }

    /// The saved epochs; 0 where config.json's count is one a resume refuses (a negative one showed
    /// "step -5/1").
    private var epochsDone: Int { (try? TrainingPlan.epochsDone(config, source: "")) ?? 0 }
    private var epochs: Int { config["epochs"]?.integerValue ?? 0 }

    /// True once the trainer has saved its last planned epoch.
    public var isFinished: Bool { epochs > 0 && epochsDone >= epochs }

    /// The trainer's steps done and planned; in epochs until the first epoch row tells the steps of one.
    public var progress: (done: Int, total: Int) {
        guard let lastStep = stepColumn.last, lastStep > 0, epochsDone > 0 else {
            return (epochsDone, max(epochs, 1))
        }
        let stepsPerEpoch = lastStep / Double(epochsDone)
        return (Int(lastStep), max(Int(lastStep), Int((stepsPerEpoch * Double(epochs)).rounded())))
    }

    /// The trainer's optimizer steps per second in its last saved epoch (0 before one is saved).
    public var trainerStepsPerSecond: Double {
        guard let seconds = secondsColumn.last, seconds > 0, let last = stepColumn.last else { return 0 }
        let previous = stepColumn.count > 1 ? stepColumn[stepColumn.count - 2] : 0
        return max(0, last - previous) / seconds
    }

    public func step() throws -> StepReport {
        Thread.sleep(forTimeInterval: pollInterval)
        poll()
        return StepReport(metrics: [:])
    }

    private func modificationDate(_ file: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: run.file(file)))?[.modificationDate] as? Date
    }

    /// Re-reads what changed; a file caught mid-replacement is simply read on the next poll. A run folder
    /// that is gone (deleted) is said so, until it is back.
    private func poll() {
        isGone = !run.exists
        guard !isGone else { return }
        if let stamp = modificationDate("metrics.csv"), stamp != metricsStamp {
            metricsStamp = stamp
            if let bytes = try? run.read("metrics.csv") {
                let text = String(decoding: bytes, as: UTF8.self)
                columns = RunWatcher.parseMetrics(text)
                let bookkeeping = RunWatcher.parseMetrics(text, keeping: ["step", "seconds"])
                stepColumn = bookkeeping["step"] ?? []
                secondsColumn = bookkeeping["seconds"] ?? []
            }
        }
        // config.json may be replaced after metrics.csv (the last epoch's `epochs_done`): watched on its own.
        if let stamp = modificationDate("config.json"), stamp != configStamp {
            if let fresh = try? run.readConfig() {
                config = fresh
                configStamp = stamp
            }
        }
        isUntrained = !isFinished && RunLock.holder(of: run) == nil
        if let view, let stamp = modificationDate("model.safetensors"), stamp != modelStamp {
            do {
                let file = try SafeTensorsFormat.decode(
                    try run.read("model.safetensors"), source: run.file("model.safetensors"))
                try Checkpoint.load(file, into: view.model, source: run.file("model.safetensors"))
                modelStamp = stamp
                problem = ""
            } catch {
                problem = "\(error)"
            }
        }
    }

    /// Columns of a metrics.csv by header name (non-numeric cells are skipped): the metrics, or with
    /// `keeping` only the named columns (the bookkeeping columns epoch, step, seconds).
    public static func parseMetrics(_ text: String, keeping: Set<String>? = nil) -> [String: [Double]] {
        let lines = text.split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        guard let header = lines.first else { return [:] }
        let wanted = { (name: String) in keeping?.contains(name) ?? !["epoch", "step", "seconds"].contains(name) }
        var columns: [String: [Double]] = [:]
        for row in lines.dropFirst() {
            for (index, name) in header.enumerated() where index < row.count && wanted(name) {
                if let value = Double(row[index]) { columns[name, default: []].append(value) }
            }
        }
        return columns
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        snapshot.epochSeries = columns
        snapshot.epoch = epochsDone
        // The runner measured the watcher's polls; the throughput to show is the trainer's, none when no
        // process trains the run.
        snapshot.stepsPerSecond = isUntrained ? 0 : trainerStepsPerSecond
        snapshot.notAdvancing = isUntrained && !isGone ? "not being trained" : nil
        if let view, modelStamp != nil {
            view.describe(into: &snapshot, includeHeavy: includeHeavy)
        }
        snapshot.series = [:]
        snapshot.figures =
            [
                ("run", run.name), ("model", config["model"]?.stringValue ?? "?"),
                ("dataset", config["dataset"]?.stringValue ?? "?"),
                ("epochs", "\(epochsDone)/\(epochs)"),
            ]
            + (config["test"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
                ("test \($0.key)", $0.value.doubleValue.map { String(format: "%.4f", $0) } ?? "-")
            }
        if isGone {
            snapshot.message = "run folder '\(run.path)' was deleted; showing what was last read from it"
        } else if !problem.isEmpty {
            snapshot.message = problem
        } else {
            snapshot.message =
                isFinished
                ? "\(run.path): training finished"
                : isUntrained
                    ? "\(run.path) is not being trained (no process holds the run); 'manifold train "
                        + "\(config["model"]?.stringValue ?? "MODEL") --run \(run.name) --epochs \(epochs) --resume' goes on"
                    : "watching \(run.path)"
        }
    }
}
