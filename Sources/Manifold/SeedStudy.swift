import Attacks
import Datasets
import Engine
import Models
import TensorCore

/// The robustness figures of the attack issue for one training seed: an MLP trained exactly as
/// `manifold train mlp --seed S` trains it (same initialisation, batch order and Adam), then attacked on
/// every test image exactly as `manifold attack` attacks it. `bench seeds` repeats this over seeds to show
/// how far such figures move with nothing but the seed.
struct SeedStudy {
    /// One figure: its key (in JSON and in the PyTorch script's lines) and its label in the table.
    struct Figure {
        let key: String
        let label: String
    }

    /// The figures in table order; the attacks are the (MATH.md section 10: FGSM, PGD, least-likely).
    static let figures = [
        Figure(key: "first_epoch_accuracy", label: "accuracy after epoch 1"),
        Figure(key: "clean_accuracy", label: "clean accuracy"),
        Figure(key: "fgsm_0.05", label: "FGSM eps 0.05"),
        Figure(key: "fgsm_0.1", label: "FGSM eps 0.1"),
        Figure(key: "fgsm_0.2", label: "FGSM eps 0.2"),
        Figure(key: "pgd", label: "PGD eps 0.1"),
        Figure(key: "ill", label: "ILL eps 0.1"),
        Figure(key: "ill_target", label: "ILL target reached"),
    ]

    static let attacksDescription =
        "robust accuracy on every test image: FGSM; PGD L-inf alpha 0.01, 20 steps, no random start; iterative least-likely (ILL) the same, and the share of images sent to their least likely class"

    let dataset: Dataset
    let epochs: Int
    let batchSize: Int
    let learningRate: Float
    /// Images per attack batch (as `attack`'s default for the MLP).
    var attackBatch = 2000

    /// Trains seed `seed` and measures every figure: `key -> value`.
    func figures(seed: UInt64, progress: ProgressReporter?) throws -> [String: Double] {
        let training = ClassifierTraining(
            kind: .mlp, dataset: dataset, batchSize: batchSize, learningRate: learningRate, epochs: epochs, seed: seed)
        let model = training.model
        var values: [String: Double] = [:]
        while !training.isFinished {
            let report = try training.step()
            let (done, total) = training.progress
            progress?.update(done: done, total: total, detail: "seed \(seed) training")
            if let summary = report.epochSummary {
                let accuracy = summary.value("test_accuracy") ?? .nan
                if summary.epoch == 1 { values["first_epoch_accuracy"] = accuracy }
                values["clean_accuracy"] = accuracy
            }
        }
        model.setTraining(false)
        func robust(_ attack: any Attack, _ threat: ThreatModel) throws -> AttackResult {
            try AttackCommand.attackTestImages(
                attack, method: attack.name, model: model, dataset: dataset, count: dataset.testCount,
                batchSize: attackBatch, threat: threat, progress: nil)
        }
        for epsilon: Float in [0.05, 0.1, 0.2] {
            values["fgsm_\(epsilon)"] = try robust(FGSM(), ThreatModel(epsilon: epsilon)).adversarialAccuracy
        }
        // PGD and ILL with the settings `bench attack` times (eps 0.1, alpha 0.01, 20 steps).
        for method in BenchAttackCommand.methods where method.name != "fgsm" {
            let result = try robust(method.attack, method.threat)
            values[method.name] = result.adversarialAccuracy
            if method.threat.goal.isTargeted { values["\(method.name)_target"] = result.successRate }
        }
        return values
    }
}
