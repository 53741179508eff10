import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// Jobs the Runs screen starts on a saved run: continue training (`t`) and evaluate now (`e`). The
/// config is checked at once (a clear message for a run that cannot resume); the dataset, model and
/// checkpoint load on the runner's queue.
extension Job {
    /// Continues a saved run for `extraEpochs` more epochs, exactly where it stopped: a classifier or a
    /// generative model (not PCA, which is fitted in one pass).
    static func resume(run: RunDirectory, extraEpochs: Int = 5, running: Bool) throws -> Job {
        let saved = try run.readConfig()
        let model = saved["model"]?.stringValue ?? ""
        if Classifier.Kind(rawValue: model) != nil {
            return try resumeClassifier(run: run, extraEpochs: extraEpochs, running: running)
        }
        if let kind = GenerativeKind(rawValue: model), kind != .pca {
            return try resumeGenerative(run: run, kind: kind, extraEpochs: extraEpochs, running: running)
        }
        throw RuntimeError(
            "\(run.file("config.json")): a '\(Sanitize.line(model))' run cannot continue training (PCA is fitted in one pass)"
        )
    }

    /// The saved `epochs_done`, or a one-line error naming config.json.
    private static func epochsDone(_ saved: [String: JSONValue], run: RunDirectory) throws -> Int {
        guard let done = saved["epochs_done"]?.integerValue, done >= 0 else {
            throw RuntimeError("\(run.file("config.json")): no valid 'epochs_done'")
        }
        return done
    }

    /// The rows of a run's metrics.csv after the header, and the metric names of the header (after
    /// epoch, step, seconds).
    private static func savedMetrics(_ run: RunDirectory) -> (header: [String], rows: [String]) {
        guard let data = try? run.read("metrics.csv") else { return ([], []) }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let header = lines.first.map { $0.split(separator: ",").dropFirst(3).map(String.init) } ?? []
        return (header, Array(lines.dropFirst()))
    }

    /// Continues a classifier run: weights, Adam state and data order come from the run, results go back into it.
    static func resumeClassifier(run: RunDirectory, extraEpochs: Int = 5, running: Bool) throws -> Job {
        let saved = try run.readConfig()
        guard let kind = saved["model"]?.stringValue.flatMap(Classifier.Kind.init(rawValue:)) else {
            throw RuntimeError("\(run.file("config.json")): not a classifier run")
        }
        let done = try epochsDone(saved, run: run)
        let data = saved["data"]?.stringValue ?? "synthetic"
        let (batch, learningRate, seed) = TrainingDefaults(batch: 128, learningRate: 1e-3, seed: 0).resumed(from: saved)
            .values
        let labels = JobLabels()
        let recorder = EngineSlot<EpochRecorder>()
        let experiment = DeferredExperiment(label: "the run and its dataset") {
            let dataset = try RunEvaluation.dataset(of: saved)
            labels.classNames = dataset.classNames
            let training = ClassifierTraining(
                kind: kind, dataset: dataset, batchSize: batch, learningRate: Float(learningRate),
                epochs: done + extraEpochs, seed: seed, completedEpochs: done)
            let model = training.model
            try ClassifierRunStore.load(run: run, model: model, optimizer: training.optimizer)
            var config = RunConfig(
                model: kind.rawValue, data: data, dataset: dataset, epochs: done + extraEpochs, batch: batch,
                learningRate: learningRate, seed: seed)
            config.epochsDone = done
            config.created = saved["created"]?.stringValue ?? config.created
            recorder.value = EpochRecorder(
                run: run, model: model, optimizer: training.optimizer, config: config, rows: savedMetrics(run).rows)
            return training
        }
        let runner = Runner(experiment: experiment, label: kind.rawValue, heavyEvery: 40) { report in
            recorder.value?.record(report)
        }
        runner.start(running: running)
        let job = Job(
            kind: .classifierTraining, title: "\(kind.rawValue) · \(run.name) (resumed)", runner: runner,
            classNames: [], run: run, labels: labels)
        job.saveWeights = { recorder.value?.saveWeights() ?? "still loading" }
        return job
    }

    /// Continues a generative run (ae, vae, aae, wae, dae, ddpm) with its saved settings, weights and
    /// every optimizer's state, as `manifold train KIND --run NAME --resume` does.
    static func resumeGenerative(run: RunDirectory, kind: GenerativeKind, extraEpochs: Int = 5, running: Bool) throws
        -> Job
    {
        let saved = try run.readConfig()
        let source = run.file("config.json")
        let settings = try GenerativeSettings(config: saved, kind: kind, source: source)
        let done = try epochsDone(saved, run: run)
        let data = saved["data"]?.stringValue ?? "synthetic"
        let (batch, learningRate, seed) = TrainingDefaults(
            batch: 128, learningRate: settings.defaultLearningRate(for: kind), seed: 0
        ).resumed(from: saved).values
        let labels = JobLabels()
        let recorder = EngineSlot<GenerativeEpochRecorder>()
        let experiment = DeferredExperiment(label: "the run and its dataset") {
            let dataset = try RunEvaluation.dataset(of: saved)
            labels.classNames = dataset.classNames
            var generator = RandomGenerator(seed: seed)
            let model = try GenerativeFactory.make(
                kind, settings: settings, pixels: dataset.pixelCount, learningRate: Float(learningRate),
                generator: &generator)
            try GenerativeRunStore.load(run: run, model: model, optimizers: model.optimizers)
            let training = GenerativeTraining(
                model: model, dataset: dataset, batchSize: batch, epochs: done + extraEpochs, seed: seed,
                completedEpochs: done)
            var config = RunConfig(
                model: kind.rawValue, data: data, dataset: dataset, epochs: done + extraEpochs, batch: batch,
                learningRate: learningRate, seed: seed)
            config.epochsDone = done
            config.extra = settings.extra(for: kind)
            config.extra["pixels"] = .integer(dataset.pixelCount)
            config.created = saved["created"]?.stringValue ?? config.created
            let metrics = savedMetrics(run)
            recorder.value = GenerativeEpochRecorder(
                run: run, model: model, config: config, header: metrics.header, rows: metrics.rows)
            return training
        }
        let runner = Runner(experiment: experiment, label: kind.rawValue, heavyEvery: 40) { report in
            recorder.value?.record(report)
        }
        runner.start(running: running)
        let job = Job(
            kind: .generativeTraining, title: "\(kind.rawValue) · \(run.name) (resumed)", runner: runner,
            classNames: [], run: run, labels: labels)
        job.addFocusControls()
        return job
    }

    /// Recomputes a run's test metrics from its checkpoint now (the Runs screen shows them next to the
    /// saved ones).
    static func evaluate(run: RunDirectory) -> Job {
        let runner = Runner(experiment: RunEvaluation(run: run), label: "evaluate")
        runner.start(running: true)
        return Job(kind: .evaluation, title: "evaluate \(run.name)", runner: runner, classNames: [], run: run)
    }
}
