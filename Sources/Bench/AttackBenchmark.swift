import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// Runs `attack` on the first `count` test images of `dataset`, `batchSize` images per run, and merges
/// the results: the way `manifold attack` attacks a test set, which the benchmarks time and repeat.
public typealias TestImageAttacker = (
    _ attack: any Attack, _ method: String, _ model: Classifier, _ dataset: Dataset, _ count: Int, _ batchSize: Int,
    _ threat: ThreatModel
) throws -> AttackResult

/// The attack speed targets of the issue as ratios measured in one run (`manifold bench attack`).
///
/// Times FGSM (eps 0.1), PGD (L-inf eps 0.1, alpha 0.01, 20 steps, no random start) and iterative
/// least-likely (same settings) on the first `count` test images three ways, in alternating rounds so
/// that all meet the same load: Manifold as `attack` runs it, Manifold through autograd (the path before
/// `DenseInputGradient`), and PyTorch with the same formulas on the same weights (`Scripts/attack_torch.py`
/// in a child python process, `torch.set_num_threads` = Manifold's threads). Each side keeps its best
/// round. Timed on every side: the attack from the clean images plus the predictions on the adversarial
/// images.
public struct AttackBenchmark {
    /// One timed attack.
    public struct Method {
        public let name: String
        public let attack: any Attack
        public let threat: ThreatModel
        /// Its spec for `attack_torch.py`.
        public let torchSpec: String
    }

    /// The timed attacks, in table order.
    public static var methods: [Method] {
        [
            Method(name: "fgsm", attack: FGSM(), threat: ThreatModel(epsilon: 0.1), torchSpec: "fgsm:0.1"),
            Method(
                name: "pgd", attack: PGD(steps: 20, stepSize: 0.01, randomStart: false),
                threat: ThreatModel(epsilon: 0.1),
                torchSpec: "pgd:0.1:0.01:20"),
            Method(
                name: "ill", attack: LeastLikely(iterative: true, steps: 20, stepSize: 0.01),
                threat: ThreatModel(epsilon: 0.1, goal: .leastLikely), torchSpec: "ill:0.1:0.01:20"),
        ]
    }

    /// The best round of each side for one method.
    public struct Row {
        public var seconds = Double.infinity
        public var autogradSeconds = Double.infinity
        /// Process CPU seconds of the best rounds (on a loaded machine, at `--threads 1`, steadier than wall time).
        public var cpuSeconds = Double.infinity
        public var autogradCPUSeconds = Double.infinity
        public var torchSeconds: Double?
        public var accuracy = 0.0
        public var autogradAccuracy = 0.0
        public var torchAccuracy: Double?
    }

    /// The rows in `methods` order, and why PyTorch was not measured (nil when it was).
    public struct Report {
        public let rows: [Row]
        public let torchNote: String?
    }

    public let model: Classifier
    public let dataset: Dataset
    public let count: Int
    public let batchSize: Int
    /// The run's `model.safetensors`, which the PyTorch side loads.
    public let weightsFile: String
    public let attacker: TestImageAttacker

    public init(
        model: Classifier, dataset: Dataset, count: Int, batchSize: Int, weightsFile: String,
        attacker: @escaping TestImageAttacker
    ) {
        self.model = model
        self.dataset = dataset
        self.count = count
        self.batchSize = batchSize
        self.weightsFile = weightsFile
        self.attacker = attacker
    }

    /// Runs `rounds` alternating rounds; `python` nil skips PyTorch (`torchNote` then says so).
    /// - Throws: a failing Manifold attack, or the PyTorch inputs that could not be written.
    public func run(rounds: Int, python: String?) throws -> Report {
        let methods = Self.methods
        var rows = [Row](repeating: Row(), count: methods.count)
        var torchNote: String? = python == nil ? "skipped (--no-torch)" : nil
        let inputs = python == nil ? nil : try writeTorchInputs()
        defer { inputs?.folder.remove() }
        for _ in 0..<rounds {
            for (index, method) in methods.enumerated() {
                let ours = try time(method)
                rows[index].seconds = min(rows[index].seconds, ours.seconds)
                rows[index].cpuSeconds = min(rows[index].cpuSeconds, ours.cpuSeconds)
                rows[index].accuracy = ours.accuracy
                let autograd = try GradientImplementation.$forceAutograd.withValue(true) { try time(method) }
                rows[index].autogradSeconds = min(rows[index].autogradSeconds, autograd.seconds)
                rows[index].autogradCPUSeconds = min(rows[index].autogradCPUSeconds, autograd.cpuSeconds)
                rows[index].autogradAccuracy = autograd.accuracy
            }
            guard let inputs, let python, torchNote == nil else { continue }
            switch torchTimes(inputs, python: python) {
            case .success(let values):
                for (index, method) in methods.enumerated() {
                    guard let value = values[method.name] else { continue }
                    rows[index].torchSeconds = min(rows[index].torchSeconds ?? .infinity, value.seconds)
                    rows[index].torchAccuracy = value.accuracy
                }
            case .failure(let error):
                torchNote = error.description
            }
        }
        return Report(rows: rows, torchNote: torchNote)
    }

    /// Seconds and robust accuracy of one Manifold attack over the first `count` test images.
    func time(_ method: Method) throws -> (seconds: Double, cpuSeconds: Double, accuracy: Double) {
        let (start, cpuStart) = (DispatchTime.now().uptimeNanoseconds, Self.processCPUSeconds())
        let result = try attacker(method.attack, method.name, model, dataset, count, batchSize, method.threat)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return (seconds, Self.processCPUSeconds() - cpuStart, result.adversarialAccuracy)
    }

    /// CPU time of this process (all threads, spinning workers included).
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// The test images (float32) and labels (int64) as raw files for the PyTorch script.
    func writeTorchInputs() throws -> (folder: PythonReference.InputFolder, images: String, labels: String) {
        try PythonReference.InputFolder.testSet(dataset, count: count, label: "bench-attack")
    }

    /// One round of the PyTorch side: `name -> (seconds, robust accuracy)`.
    func torchTimes(
        _ inputs: (folder: PythonReference.InputFolder, images: String, labels: String), python: String
    ) -> Result<[String: (seconds: Double, accuracy: Double)], PythonReference.Failure> {
        let lines: [String]
        switch PythonReference.run(
            python: python, script: "attack_torch.py",
            arguments: [weightsFile, inputs.images, inputs.labels, String(count), String(ComputeThreads.count)]
                + Self.methods.map(\.torchSpec))
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        var values: [String: (seconds: Double, accuracy: Double)] = [:]
        for line in lines where line.hasPrefix("result ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let seconds = Double(parts[2]), let accuracy = Double(parts[3]),
                seconds.isFinite, seconds > 0, (0...1).contains(accuracy)
            else {
                return .failure(
                    PythonReference.Failure(
                        description: "\(python) printed a result line that is not NAME SECONDS ACCURACY with "
                            + "positive seconds and an accuracy in [0, 1]: '\(Sanitize.line(String(line.prefix(80))))'")
                )
            }
            values[String(parts[1])] = (seconds, accuracy)
        }
        let missing = Self.methods.map(\.name).filter { values[$0] == nil }
        guard missing.isEmpty else {
            return .failure(
                PythonReference.Failure(
                    description: "\(python) printed no result for \(missing.joined(separator: ", "))"))
        }
        return .success(values)
    }
}
