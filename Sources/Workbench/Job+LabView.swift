import Datasets
import Engine
import Foundation
import Models
import TerminalUI

extension Job {
    /// A classifier run's model (in evaluation mode) and its dataset loaded as the Attack lab loads it, so a
    /// test-image index names the same image in the lab and in the views it opens; `labels` gets the
    /// class names. Call on the runner's queue.
    static func labClassifierAndDataset(run: RunDirectory, option: String, labels: JobLabels) throws -> (
        classifier: Classifier, dataset: Dataset
    ) {
        let loaded = try LoadedClassifierRun.load(run: run, option: option)
        loaded.model.setTraining(false)
        let seed = try run.readConfig()["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
        // The run's test set, as `attack` takes it (the test split alone; the run's first N images when it was
        // measured on N), refused with `attack`'s line when the data no longer fits the run.
        let dataset = try RunDataMismatch.reworded {
            try loaded.testSet(override: nil, seed: seed, withTraining: false).dataset
        }
        labels.classNames = dataset.classNames
        return (loaded.model, dataset)
    }

    /// An Attack lab view of one image stepped at 30 steps a second, slow enough to watch (`{` and `}`
    /// change it), with its own keys; `key` is the lab's key that opens it.
    static func pacedLabView(
        _ experiment: DeferredExperiment, label: String, title: String, run: RunDirectory, labels: JobLabels,
        key: Character, running: Bool, controls: @escaping (KeyEvent) -> (@Sendable (any Experiment) -> String)?
    ) -> Job {
        let runner = Runner(experiment: experiment, label: label, heavyEvery: 1, heavyInterval: 0.05)
        runner.send(.pace(30))
        runner.start(running: running)
        let job = Job(kind: .attack, title: title, runner: runner, classNames: [], run: run, labels: labels)
        job.paceIndex = WorkbenchState.paceLimits.firstIndex { $0 == 30 } ?? 0
        job.controls = controls
        job.restartHint = Job.labRestartHint(key)
        return job
    }

    /// How a stopped lab view opened by `key` is started anew.
    static func labRestartHint(_ key: Character) -> String {
        "start it anew with \(key) on an attack in the Attack lab ([ goes back to it)"
    }
}
