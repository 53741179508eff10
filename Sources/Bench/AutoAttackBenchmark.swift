import Attacks
import Base
import Datasets
import Engine
import Foundation
import Models
import TensorCore

/// Manifold's AutoAttack against torchattacks 3.5.1's on the same weights and images
/// (`manifold bench autoattack`): the robust accuracy after each component, the per-image worst case,
/// and the seconds of each side, in alternating rounds so that both meet the same load.
///
/// Both sides run the standard ensemble (APGD-CE, APGD-T, FAB-T, Square; each only on the images still
/// robust) for the L-inf or the L2 threat (`norm`: torchattacks' components with `norm="Linf"` or `"L2"`,
/// Square being the L2 Square Attack in L2) with the same iterations per component and Square budget; the
/// PyTorch side is `Scripts/autoattack_torch.py` in a child python with torch and torchattacks,
/// `torch.set_num_threads` = Manifold's threads. The target: Manifold's robust accuracy at most torchattacks' + 0.005, in
/// less time.
public struct AutoAttackBenchmark {
    /// One side's best round.
    public struct Side: Sendable {
        public var seconds = Double.infinity
        public var robustAccuracy = Double.nan
        /// Robust accuracy after each component, in order.
        public var components: [(name: String, robustAccuracy: Double)] = []
    }

    public struct Report {
        public var manifold: Side
        public var torch: Side?
        /// Why PyTorch was not measured (nil when it was).
        public var torchNote: String?
        public var cleanAccuracy: Double
    }

    public let model: Classifier
    public let dataset: Dataset
    public let count: Int
    /// The threat's norm: `.linf` or `.l2`.
    public let norm: PerturbationNorm
    public let epsilon: Float
    public let steps: Int
    public let queries: Int
    public let batchSize: Int
    /// The run's `model.safetensors`, which the PyTorch side reads.
    public let weightsFile: String
    public let attacker: TestImageAttacker

    public init(
        model: Classifier, dataset: Dataset, count: Int, norm: PerturbationNorm = .linf, epsilon: Float, steps: Int,
        queries: Int, batchSize: Int, weightsFile: String, attacker: @escaping TestImageAttacker
    ) {
        self.model = model
        self.dataset = dataset
        self.count = count
        self.norm = norm
        self.epsilon = epsilon
        self.steps = steps
        self.queries = queries
        self.batchSize = batchSize
        self.weightsFile = weightsFile
        self.attacker = attacker
    }

    /// Runs `rounds` alternating rounds (Manifold, then PyTorch); `python` nil skips PyTorch.
    /// - Throws: a failing Manifold attack, or the PyTorch inputs that could not be written.
    public func run(rounds: Int, python: String?) throws -> Report {
        var manifold = Side()
        var torch: Side?
        var torchNote: String? = python == nil ? "skipped (--no-torch)" : nil
        var clean = 0.0
        let inputs = python == nil ? nil : try writeTorchInputs()
        defer { inputs?.folder.remove() }
        let attack = AutoAttack(steps: steps, squareQueries: queries)
        let names = attack.components(norm: norm).map(\.name)
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try attacker(
                attack, "autoattack", model, dataset, count, batchSize, ThreatModel(norm: norm, epsilon: epsilon))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            clean = result.cleanAccuracy
            if seconds < manifold.seconds {
                manifold.seconds = seconds
                manifold.robustAccuracy = result.adversarialAccuracy
                manifold.components = AutoAttack.componentAccuracies(
                    brokenBy: result.perImageLabels["broken_by"] ?? [], components: names
                ).map { ($0.name, $0.robustAccuracy) }
            }
            guard let inputs, let python, torchNote == nil else { continue }
            switch torchRound(inputs, python: python) {
            case .success(let side):
                if side.seconds < (torch?.seconds ?? .infinity) { torch = side }
            case .failure(let failure):
                torchNote = failure.description
            }
        }
        return Report(manifold: manifold, torch: torch, torchNote: torchNote, cleanAccuracy: clean)
    }

    func writeTorchInputs() throws -> (folder: PythonReference.InputFolder, images: String, labels: String) {
        try PythonReference.InputFolder.testSet(dataset, count: count, label: "bench-autoattack")
    }

    /// One round of the PyTorch side.
    func torchRound(_ inputs: (folder: PythonReference.InputFolder, images: String, labels: String), python: String)
        -> Result<Side, PythonReference.Failure>
    {
        let lines: [String]
        switch PythonReference.run(
            python: python, script: "autoattack_torch.py",
            arguments: [
                weightsFile, model.kind.rawValue, model.architecture.rawValue, String(model.imageHeight),
                String(model.imageWidth), inputs.images, inputs.labels,
                String(count), String(ComputeThreads.count), String(epsilon), String(steps), String(queries),
                norm == .l2 ? "L2" : "Linf",
            ], timeout: 7200)
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        var side = Side()
        func unusable(_ line: String) -> PythonReference.Failure {
            PythonReference.Failure(
                description: "autoattack_torch.py printed an unusable line: '\(Sanitize.line(String(line.prefix(80))))'"
            )
        }
        for line in lines {
            let parts = line.split(separator: " ")
            if parts.count >= 3, parts[0] == "component", let value = Double(parts[2]) {
                guard (0...1).contains(value) else { return .failure(unusable(line)) }
                side.components.append((String(parts[1]), value))
            } else if parts.count == 3, parts[0] == "result", let seconds = Double(parts[1]),
                let accuracy = Double(parts[2])
            {
                guard seconds.isFinite, seconds > 0, (0...1).contains(accuracy) else { return .failure(unusable(line)) }
                side.seconds = seconds
                side.robustAccuracy = accuracy
            }
        }
        guard side.seconds.isFinite else {
            return .failure(PythonReference.Failure(description: "autoattack_torch.py printed no result"))
        }
        return .success(side)
    }
}
