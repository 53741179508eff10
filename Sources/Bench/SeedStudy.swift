import Attacks
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// The robustness figures of the attack issue for one training seed: an MLP trained exactly as
/// `manifold train mlp --seed S` trains it (same initialisation, batch order and Adam), then attacked on
/// every test image exactly as `manifold attack` attacks it. `bench seeds` repeats this over seeds to show
/// how far such figures move with nothing but the seed, and `torchFigures` does the same in PyTorch
/// (`Scripts/seeds_torch.py`).
public struct SeedStudy {
    /// One figure: its key (in JSON and in the PyTorch script's lines) and its label in the table.
    public struct Figure: Sendable {
        public let key: String
        public let label: String
    }

    /// The figures in table order; the attacks are the (MATH.md section 10: FGSM, PGD, least-likely).
    public static let figures = [
        Figure(key: "first_epoch_accuracy", label: "accuracy after epoch 1"),
        Figure(key: "clean_accuracy", label: "clean accuracy"),
        Figure(key: "fgsm_0.05", label: "FGSM eps 0.05"),
        Figure(key: "fgsm_0.1", label: "FGSM eps 0.1"),
        Figure(key: "fgsm_0.2", label: "FGSM eps 0.2"),
        Figure(key: "pgd", label: "PGD eps 0.1"),
        Figure(key: "ill", label: "ILL eps 0.1"),
        Figure(key: "ill_target", label: "ILL target reached"),
    ]

    public static let attacksDescription =
        "robust accuracy on every test image: FGSM; PGD L-inf alpha 0.01, 20 steps, no random start; iterative least-likely (ILL) the same, and the share of images sent to their least likely class"

    public let dataset: Dataset
    public let epochs: Int
    public let batchSize: Int
    /// Adam's learning rate, as given (the PyTorch side gets this text; Manifold trains with its `Float`).
    public let learningRate: Double
    /// Attacks the test set the way `manifold attack` does.
    public let attacker: TestImageAttacker
    /// Images per attack batch (as `attack`'s default for the MLP).
    public var attackBatch = 2000

    public init(
        dataset: Dataset, epochs: Int, batchSize: Int, learningRate: Double, attacker: @escaping TestImageAttacker
    ) {
        self.dataset = dataset
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.attacker = attacker
    }

    /// Trains seed `seed` and measures every figure: `key -> value`.
    /// - Parameter progress: called after each training step with (steps done, steps in all, a detail line).
    public func figures(seed: UInt64, progress: ((Int, Int, String) -> Void)?) throws -> [String: Double] {
        let training = ClassifierTraining(
            kind: .mlp, dataset: dataset, batchSize: batchSize, learningRate: Float(learningRate), epochs: epochs,
            seed: seed)
        let model = training.model
        var values: [String: Double] = [:]
        while !training.isFinished {
            let report = try training.step()
            let (done, total) = training.progress
            progress?(done, total, "seed \(seed) training")
            if let summary = report.epochSummary {
                let accuracy = summary.value("test_accuracy") ?? .nan
                if summary.epoch == 1 { values["first_epoch_accuracy"] = accuracy }
                values["clean_accuracy"] = accuracy
            }
        }
        model.setTraining(false)
        func robust(_ attack: any Attack, _ threat: ThreatModel) throws -> AttackResult {
            try attacker(attack, attack.name, model, dataset, dataset.testCount, attackBatch, threat)
        }
        for epsilon: Float in [0.05, 0.1, 0.2] {
            values["fgsm_\(epsilon)"] = try robust(FGSM(), ThreatModel(epsilon: epsilon)).adversarialAccuracy
        }
        // PGD and ILL with the settings `bench attack` times (eps 0.1, alpha 0.01, 20 steps).
        for method in AttackBenchmark.methods where method.name != "fgsm" {
            let result = try robust(method.attack, method.threat)
            values[method.name] = result.adversarialAccuracy
            if method.threat.goal.isTargeted { values["\(method.name)_target"] = result.successRate }
        }
        return values
    }

    /// The PyTorch side: every seed's figures, in seed order, or why they could not be measured.
    public func torchFigures(seeds: [UInt64], python: String) -> Result<[[String: Double]], PythonReference.Failure> {
        let folder: PythonReference.InputFolder
        do {
            folder = try PythonReference.InputFolder.wholeDataset(dataset, label: "bench-seeds")
        } catch {
            return .failure(error)
        }
        defer { folder.remove() }
        let arguments =
            [folder.path, String(dataset.pixelCount), String(dataset.classCount), String(epochs), String(batchSize)]
            + [String(learningRate), String(ComputeThreads.count)] + seeds.map(String.init)
        // Generous: PyTorch takes about 6 s a seed for the 5-epoch Fashion-MNIST recipe on 2 cores.
        let timeout = 300 + 30 * Double(seeds.count * epochs) * Double(dataset.trainCount) / 60_000
        let lines: [String]
        switch PythonReference.run(python: python, script: "seeds_torch.py", arguments: arguments, timeout: timeout) {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        var rows: [[String: Double]] = []
        for line in lines where line.hasPrefix("seed ") {
            var row: [String: Double] = [:]
            for pair in line.split(separator: " ").dropFirst(2) {
                let parts = pair.split(separator: "=")
                if parts.count == 2, let value = Double(parts[1]) { row[String(parts[0])] = value }
            }
            rows.append(row)
        }
        guard rows.count == seeds.count else {
            return .failure(.init(description: "\(python) printed \(rows.count) of \(seeds.count) seeds"))
        }
        // Every figure is a share of the test images: a line without one, or with nan, is no result.
        for (seed, row) in zip(seeds, rows) {
            let unusable = Self.figures.first { figure in !(row[figure.key].map { (0...1).contains($0) } ?? false) }
            if let unusable {
                return .failure(.init(description: "\(python) printed no usable \(unusable.key) for seed \(seed)"))
            }
        }
        return .success(rows)
    }
}
