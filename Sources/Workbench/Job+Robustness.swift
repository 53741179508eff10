import Attacks
import Datasets
import Engine
import Foundation
import Models
import TensorCore

extension Job {
    /// The robustness view of a classifier run: robust accuracy over eps for several attacks and their worst
    /// case on the first 200 test images (of the run's test set, as `attack` takes it), the sanity checks at
    /// the run's training eps (else 0.1), and the run's per-epoch clean / FGSM / PGD accuracies.
    static func robustness(run: RunDirectory, running: Bool) throws -> Job {
        let config = try run.readConfig()
        let model = config["model"]?.stringValue ?? ""
        guard Classifier.Kind(rawValue: model) != nil else {
            throw RunError(RunKindMismatch.classifierMessage(run: run.name, model: model))
        }
        let seed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
        let trainedEpsilon = config["adversarial"]?["eps"]?.doubleValue.map { Float($0) }
        let checkEpsilon = trainedEpsilon.flatMap { $0 > 0 && $0 <= 1 ? $0 : nil } ?? 0.1
        let metrics = (try? run.read("metrics.csv")).map { MetricsTable(csv: String(decoding: $0, as: UTF8.self)) }
        let labels = JobLabels()
        let experiment = DeferredExperiment(label: "the classifier and its dataset") {
            let loaded = try LoadedClassifierRun.load(run: run, option: "run")
            // The run's test set, as `attack` and `eval` take it (a `--test-limit` run's first N images).
            var dataset = try RunDataMismatch.reworded {
                try loaded.testSet(override: nil, seed: seed, withTraining: false).dataset
            }
            dataset = dataset.subset(train: 0, test: min(200, dataset.testCount))
            labels.classNames = dataset.classNames
            let model = loaded.model
            model.setTraining(false)
            var epsilons = RobustnessSweep.standardEpsilons
            if !epsilons.contains(checkEpsilon) { epsilons.append(checkEpsilon) }
            return try RobustnessSweep(
                classifier: model,
                images: Tensor(shape: [dataset.testCount, dataset.pixelCount], scalars: dataset.testImages),
                labels: dataset.testLabels, epsilons: epsilons,
                // Seeded as `attack` seeds them without `--seed` (0), as the Attack lab does, so that `attack pgd
                // --run R --eps E --n 200` prints the screen's figure (the run's training seed drew other starts).
                attacks: RobustnessSweep.standardAttacks(seed: 0, classCount: model.classCount),
                checkEpsilon: checkEpsilon, metrics: metrics)
        }
        let runner = Runner(experiment: experiment, label: "robustness", heavyEvery: 1, heavyInterval: 0.2)
        runner.start(running: running)
        return Job(
            kind: .robustness, title: "robustness · \(run.name)", runner: runner, classNames: [], run: run,
            labels: labels)
    }

    /// The Robustness screen's default: the newest classifier run.
    static func defaultRobustness(running: Bool) throws -> Job {
        guard let run = latestRun(where: { Classifier.Kind(rawValue: $0) != nil }) else {
            throw RunError("no classifier run yet: train an MLP first (Home, or 'manifold train mlp')")
        }
        return try robustness(run: run, running: running)
    }
}
