import Datasets
import Engine
import Foundation
import Models
import NeuralNet
import SafeTensors
import Synchronization
import TensorCore
import TerminalUI

/// A long job the workbench runs in the background: an experiment on its own `Runner`, plus what
/// the screens need to label it (kind, dataset class names, run folder).
final class Job {
    /// What a job does; each screen lists the kinds it shows (`WorkbenchScreen.jobKinds`).
    enum Kind: Hashable, Sendable {
        case classifierTraining, generativeTraining, sampling, attack, comparison, watching, evaluation, robustness
    }

    let kind: Kind
    let title: String
    let runner: Runner
    let run: RunDirectory?
    private let labels: JobLabels
    /// The dataset's class names, known once the job's set-up has loaded it (empty before).
    var classNames: [String] { labels.classNames }
    /// The attack method of an attack job.
    var method = ""
    /// The eps an attack job started with: the lab's eps while its method has none (CW, DeepFool, LPA...),
    /// which `+` `-` cannot change.
    var epsilon: Float = 0.1
    /// Set when `n` in the Attack lab left this attack, paused, for the next method: the lab keeps only
    /// the newest few of those (`AttackScreen.keptLeftAttacks`).
    var leftByNext = false
    /// Set when `x` stopped this job: the workbench keeps only the newest few of those
    /// (`WorkbenchState.keptStoppedJobs`).
    var stoppedByUser = false
    /// The code size k a comparison shows, chosen with the Compare screen's `↑` `↓` (nil: the screen's default).
    var shownCodeSize: Int?
    /// Position in the workbench's list of step-rate limits (0: full speed).
    var paceIndex = 0
    /// Where a stopped job is started anew: a lab view (purification, feature adversary, class sweep) by its
    /// key on an attack in the Attack lab, not from Home or Runs.
    var restartHint = "start it anew from Home or Runs"
    /// Saves the current weights on the runner's queue (set for training jobs).
    var saveWeights: (@Sendable () -> String)?
    /// Gives up the run's lock when the workbench quits (set for training jobs): the process ends without
    /// releasing the objects that hold it, which left the lock file behind.
    var releaseOnQuit: (() -> Void)?
    /// Maps a key to a change made between steps on the runner's queue (learning rate, eps, ...).
    var controls: (KeyEvent) -> (@Sendable (any Experiment) -> String)? = { key in
        switch key.key {
        case .character("+"), .character("="): return LearningRate.scale(by: 2)
        case .character("-"): return LearningRate.scale(by: 0.5)
        default: return nil
        }
    }

    init(kind: Kind, title: String, runner: Runner, classNames: [String], run: RunDirectory?, labels: JobLabels? = nil)
    {
        self.kind = kind
        self.title = title
        self.runner = runner
        self.run = run
        self.labels = labels ?? JobLabels(classNames)
        // Nothing to change live in the robustness view, a threat-model table or a watched run: `+` `-` there say
        // they do nothing, as other keys do, where they had answered "this job has no learning rate".
        if kind == .robustness || kind == .watching { controls = { _ in nil } }
    }

    /// A short name of a dataset spec for titles and run names, known without loading it.
    static func datasetLabel(_ spec: String) -> String {
        if spec.isEmpty { return "synthetic" }
        var trimmed = spec
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }
}

/// Class names a job's set-up (on the runner's queue) hands to the UI thread once the dataset is loaded.
final class JobLabels: Sendable {
    private let names: Mutex<[String]>

    init(_ classNames: [String] = []) { names = Mutex(classNames) }

    var classNames: [String] {
        get { names.withLock { $0 } }
        set { names.withLock { $0 = newValue } }
    }
}

/// A value built by a job's set-up and used afterwards, all on the job's runner queue (a recorder that
/// saves the run at epoch ends). `@unchecked Sendable`: the runner's serial queue is the only user.
final class EngineSlot<Value>: @unchecked Sendable {
    var value: Value?
}

extension Job {
    /// `a` / `d` / `b`: update both networks of an adversarial pair, only the adversary, or only the
    /// autoencoder; other keys change the learning rate.
    func addFocusControls() {
        let learningRate = controls
        controls = { key in
            let focus: UpdateFocus
            switch key.key {
            case .character("a"): focus = .all
            case .character("d"): focus = .adversaryOnly
            case .character("b"): focus = .autoencoderOnly
            default: return learningRate(key)
            }
            return { experiment in
                guard let training = experiment as? GenerativeTraining else { return "" }
                training.updateFocus = focus
                guard training.updateFocus == focus else { return "this model has no adversary" }
                switch focus {
                case .all: return "updating both networks"
                case .adversaryOnly: return "updating only the adversary"
                case .autoencoderOnly: return "updating only the autoencoder"
                }
            }
        }
    }
}
extension Job {
    /// Fits PCA and trains one autoencoder per code size, for the Compare screen.
    static func compare(dataSpec: String, running: Bool) throws -> Job {
        let name = datasetLabel(dataSpec)
        let labels = JobLabels()
        let experiment = DeferredExperiment(label: "the \(name) dataset") {
            var dataset = try DatasetLoader.load(dataSpec, seed: 0)
            dataset = dataset.subset(train: min(dataset.trainCount, 10_000), test: min(dataset.testCount, 2_000))
            labels.classNames = dataset.classNames
            return CompareExperiment(dataset: dataset)
        }
        let runner = Runner(experiment: experiment, label: "compare", heavyEvery: 30)
        runner.start(running: running)
        let job = Job(
            kind: .comparison, title: "ae vs pca · \(name)", runner: runner, classNames: [], run: nil, labels: labels)
        // Its keys (↑ ↓ + -: the k shown) are the Compare screen's, answered without the runner.
        job.controls = { _ in nil }
        return job
    }
}

extension Job {
    /// Follows a run trained by another process (`manifold watch RUN`, Runs' `v`). The folder and its
    /// config.json are read at once; the watcher, which loads a classifier run's dataset, is built on the
    /// runner's queue: built here, `v` on a Fashion-MNIST run froze the screen for a second.
    static func watch(run: RunDirectory) throws -> Job {
        guard run.exists else { throw RunError("no run folder '\(run.path)' to watch") }
        let config = try run.readConfig()
        let experiment = DeferredExperiment(label: "the run and its dataset") { try RunWatcher(run: run) }
        let runner = Runner(experiment: experiment, label: "watch", heavyEvery: 1)
        runner.start(running: true)
        let classNames = config["class_names"]?.arrayValue?.compactMap(\.stringValue) ?? (0..<10).map(String.init)
        return Job(kind: .watching, title: "watching \(run.name)", runner: runner, classNames: classNames, run: run)
    }
}
