import Base
import Datasets
import Engine
import Foundation
import Models

/// The workbench's training jobs: a new run (Home) or five more epochs of a saved one (Runs `t`), both
/// through `TrainingSession`, as `manifold train` is. The plan is made at once (a run that cannot
/// resume says so immediately); the dataset, the model and the checkpoint load on the runner's queue.
extension Job {
    /// Starts training a new run of `request`'s model in `root`, saving the run folder at the end of each epoch.
    static func train(_ request: TrainingRequest, running: Bool, root: String = RunDirectory.defaultRoot) throws
        -> Job
    {
        let name = datasetLabel(request.data ?? "")
        // Locked with its generated name, so that a training started in the same second elsewhere gets another.
        let fresh = try RunLock.newRun(model: request.model.rawValue, dataset: name, root: root)
        let plan = try TrainingPlan.new(request, run: fresh.run)
        let adversarial = request.adversarial.map { String(format: " · %@ eps %g", $0.method.rawValue, $0.epsilon) }
        return try start(
            plan, title: "\(request.model.rawValue) · \(name)" + (adversarial ?? ""), loading: "the \(name) dataset",
            running: running, lock: fresh.lock)
    }

    /// A classifier on the dataset (Home's classifier items).
    /// `adversarial` trains it adversarially (PGD-AT, fast FGSM, TRADES), with the per-epoch FGSM / PGD
    /// accuracy probe on the Train screen's epoch chart.
    static func trainClassifier(
        kind: Classifier.Kind, dataSpec: String, epochs: Int, seed: UInt64, running: Bool,
        adversarial: AdversarialTrainingSettings? = nil, root: String = RunDirectory.defaultRoot
    ) throws -> Job {
        var request = TrainingRequest(model: .classifier(kind))
        (request.data, request.epochs, request.seed) = (dataSpec, epochs, seed)
        request.adversarial = adversarial
        return try train(request, running: running, root: root)
    }

    /// A generative model (not PCA, which the Compare screen fits) on the dataset. `network` picks the
    /// ddpm's noise predictor; the U-Net trains at batch 32 (four times the updates of batch 128 for the
    /// same arithmetic: recognisable digits after a minute).
    static func trainGenerative(
        kind: GenerativeKind, dataSpec: String, epochs: Int, seed: UInt64, running: Bool,
        network: DDPM.Network? = nil
    ) throws -> Job {
        precondition(kind != .pca, "PCA is fitted, not trained")
        var request = TrainingRequest(model: .generative(kind))
        (request.data, request.epochs, request.seed) = (dataSpec, epochs, seed)
        if let network { request.settings.network = network }
        if network == .unet { request.batch = 32 }
        return try train(request, running: running)
    }

    /// Continues a saved run for `extraEpochs` more epochs, exactly where it stopped: weights, optimizer
    /// state, data order and settings come from the run, results go back into it.
    static func resume(run: RunDirectory, extraEpochs: Int = 5, running: Bool) throws -> Job {
        let config = try run.readConfig()
        let source = run.file("config.json")
        let saved = config["model"]?.stringValue ?? ""
        // A config.json naming no model this program trains (none, or one it does not know) was refused as
        // PCA is: "a 'zzz' run cannot continue training (PCA is fitted in one pass)".
        guard let model = ModelKind(rawValue: saved) else {
            throw RunError(
                "\(source): "
                    + RunKindMismatch.message(
                        run: run.name, model: saved, isNot: "a model that trains",
                        kinds: ModelKind.allCases.filter(\.canResume).map(\.rawValue)))
        }
        guard model.canResume else {
            throw RunError(
                "\(source): a '\(Sanitize.line(saved))' run cannot continue training (PCA is fitted in one pass)")
        }
        var request = TrainingRequest(model: model)
        request.epochs = try TrainingPlan.epochsDone(config, source: source) + extraEpochs
        let plan = try TrainingPlan.resume(request, run: run)
        return try start(
            plan, title: "\(model.rawValue) · \(run.name) (resumed)", loading: "the run and its dataset",
            running: running)
    }

    /// The job that builds `plan`'s session on its runner's queue and saves at each epoch's end; `lock` is the
    /// run's lock when the caller took it already.
    private static func start(_ plan: TrainingPlan, title: String, loading: String, running: Bool, lock: RunLock? = nil)
        throws -> Job
    {
        let labels = JobLabels()
        let session = EngineSlot<TrainingSession>()
        // Taken now, so a run another training holds is refused in the status line, not by a failed job.
        let lock = try lock ?? RunLock(run: plan.run)
        // A resumed run's folder is there already: one that cannot be written is refused now, as `train
        // --resume` refuses it, not after epochs of training that no save keeps.
        if plan.isResume {
            do {
                try plan.run.create()
            } catch {
                lock.release()
                throw error
            }
        }
        let experiment = DeferredExperiment(label: loading) {
            let opened: TrainingSession
            do {
                // A set-up retried after a failure takes the lock again.
                opened = try TrainingSession(plan, lock: lock.isHeld ? lock : nil, createFolder: false)
            } catch {
                lock.release()  // a job that failed to load leaves the run free
                throw error
            }
            labels.classNames = opened.dataset.classNames
            session.value = opened
            return opened.training
        }
        let warned = EngineSlot<Bool>()
        let record: @Sendable (StepReport) -> String? = { report in
            guard let opened = session.value else { return nil }
            var saved: String?
            do {
                if let summary = try opened.record(report) {
                    let line = "epoch \(summary.epoch) saved to \(plan.run.path)"
                    // A loss far above a trivial model's stays in the status line for every epoch it lasts.
                    let warning = DivergenceWarning.line(
                        summary, model: plan.model, classes: opened.dataset.classCount,
                        pixels: opened.dataset.pixelCount, learningRate: opened.config.learningRate)
                    saved = warning.map { $0 + " · " + line } ?? line
                }
            } catch {
                // A failed save must not stop training; the message says what went wrong.
                return "could not save: \(error)"
            }
            // After the first step, as `train --resume` does: a cut-short last row of metrics.csv was dropped.
            guard warned.value == nil else { return saved }
            warned.value = true
            guard let warning = opened.metrics.droppedRowWarning(file: plan.run.file("metrics.csv")) else {
                return saved
            }
            return warning + (saved.map { " · " + $0 } ?? "")
        }
        // Stopped with `x` or finished, the job writes the run no more: the lock goes then, not when the job is
        // dropped (the workbench keeps the newest few), which left Runs' `t` and `d` refused on a run nobody trained.
        let runner = Runner(
            experiment: experiment, label: plan.model.rawValue, heavyEvery: 40, onStep: record,
            onEnd: {
                lock.release()
                session.value?.close()  // a set-up retried after a failure took the lock anew
            })
        runner.start(running: running)
        let kind: Kind = if case .classifier = plan.model { .classifierTraining } else { .generativeTraining }
        let job = Job(kind: kind, title: title, runner: runner, classNames: [], run: plan.run, labels: labels)
        job.releaseOnQuit = { lock.release() }
        // Every training's weights: `s` on a generative one (AE, VAE, DDPM, ...) answered that it had none to save.
        job.saveWeights = { session.value?.saveWeights() ?? "still loading" }
        if kind == .generativeTraining { job.addFocusControls() }
        return job
    }
}
