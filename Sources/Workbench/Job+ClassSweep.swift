import Attacks
import Base
import Engine
import Foundation
import Models

extension Job {
    /// The classifier run to show beside `run` in the class sweep: among the classifier runs on the same
    /// data that are adversarially trained when `run` is not (and standard when it is), the newest of the
    /// same model (mlp, cnn), else the newest of any; nil when there is none.
    static func sweepPartner(of run: RunDirectory, root: String = RunDirectory.defaultRoot) -> RunDirectory? {
        guard let config = try? run.readConfig() else { return nil }
        let robust = config["adversarial"] != nil
        let data = config["data"]?.stringValue ?? "synthetic"
        let model = config["model"]?.stringValue
        return RunDirectory.list(root: root).compactMap { other -> (run: RunDirectory, rank: String)? in
            guard other.name != run.name, let c = try? other.readConfig(),
                let kind = c["model"]?.stringValue, Classifier.Kind(rawValue: kind) != nil,
                (c["data"]?.stringValue ?? "synthetic") == data, (c["adversarial"] != nil) != robust
            else { return nil }
            // Same model first, then the newest.
            return (other, (kind == model ? "1" : "0") + (c["created"]?.stringValue ?? ""))
        }.max { $0.rank < $1.rank }?.run
    }

    /// Why the class sweep of `run` has a single strip, and the command that trains the missing run: nil when
    /// `sweepPartner(of:root:)` finds a run trained the other way.
    static func missingSweepPartner(of run: RunDirectory) -> String? {
        guard sweepPartner(of: run, root: run.root) == nil, let config = try? run.readConfig() else { return nil }
        let data = config["data"]?.stringValue ?? "synthetic"
        let train =
            "manifold train \(config["model"]?.stringValue ?? "mlp")" + (data == "synthetic" ? "" : " --data \(data)")
        return config["adversarial"] != nil
            ? "one strip: no standard run on \(data) (\(train))"
            : "one strip: no robust run on \(data) (\(train) --adversarial pgd)"
    }

    /// Targeted PGD (L-inf eps 0.5, 100 steps, from the clean image) towards every class on test image
    /// `image` of `run`, beside `sweepPartner(of:)` when there is one, the standard model on top: what
    /// `manifold attack pgd --target all --compare` draws (perceptually aligned gradients, Tsipras et al.
    /// 2019, Santurkar et al. 2019).
    static func classSweep(run: RunDirectory, image: Int, running: Bool) throws -> Job {
        var runs = [run]
        if let partner = sweepPartner(of: run, root: run.root) {
            let robustFirst = (try? run.readConfig())?["adversarial"] != nil
            runs = robustFirst ? [partner, run] : [run, partner]
        }
        let experiment = DeferredExperiment(label: "the classifiers and their dataset") {
            let loaded = try runs.map { try LoadedClassifierRun.load(run: $0, option: "the class sweep") }
            let dataset = try loaded[0].dataset(override: nil, seed: 0)
            let index = min(max(image, 0), dataset.testCount - 1)
            let pixels = dataset.pixelCount
            for item in loaded { item.model.setTraining(false) }
            return try ClassTargetSweepExperiment(
                models: loaded.map { ($0.run.name, $0.model) },
                image: Array(dataset.testImages[(index * pixels)..<((index + 1) * pixels)]),
                label: dataset.testLabels[index], imageWidth: dataset.imageWidth, imageHeight: dataset.imageHeight,
                classNames: dataset.classNames)
        }
        let runner = Runner(experiment: experiment, label: "class sweep", heavyEvery: 1, heavyInterval: 0.1)
        runner.start(running: running)
        let job = Job(
            kind: .attack, title: "pgd → every class · \(runs.map(\.name).joined(separator: " | "))", runner: runner,
            classNames: [], run: run)
        // Its eps and steps are fixed, and it has no learning rate: `+` `-` say they do nothing here.
        job.controls = { _ in nil }
        job.restartHint = Job.labRestartHint("g")
        return job
    }
}
