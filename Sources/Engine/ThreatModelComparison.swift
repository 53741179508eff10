import Attacks
import Datasets
import Foundation
import Models
import TensorCore

/// One table of robust accuracy under several threat models for several classifiers (`manifold bench
/// threats`): L-inf PGD, L2 PGD, the spatial grid and LPA, each at its own budget, and how visible each
/// budget's perturbations are by one yardstick, the perceptual distance of the first classifier's features
/// (Laidlaw, Singla & Feizi 2021's point in small: a model trained against one L_p ball is not thereby
/// robust to the other families).
public struct ThreatModelComparison {
    /// A threat model: its name, the attack and its radius (ignored by the radius-free ones).
    public struct Threat {
        public var name: String
        public var budget: String
        public var attack: any Attack
        public var threat: ThreatModel

        public init(name: String, budget: String, attack: any Attack, threat: ThreatModel) {
            self.name = name
            self.budget = budget
            self.attack = attack
            self.threat = threat
        }
    }

    /// One classifier under one threat model.
    public struct Cell: Sendable {
        public var robustAccuracy: Double
        /// Mean over the images of the yardstick's perceptual distance between the adversarial and clean image.
        public var perceptualDistance: Double
        public var meanL2: Double
        public var meanLinf: Double
        public var seconds: Double
    }

    public let models: [(name: String, classifier: Classifier)]
    public let dataset: Dataset
    public let count: Int
    public let threats: [Threat]

    public init(models: [(name: String, classifier: Classifier)], dataset: Dataset, count: Int, threats: [Threat]) {
        self.models = models
        self.dataset = dataset
        self.count = count
        self.threats = threats
    }

    /// The clean accuracy of each model on the images, and `cells[threat][model]`.
    /// - Parameter progress: the threat and model about to be attacked.
    public func run(progress: ((String, String) -> Void)? = nil) throws -> (clean: [Double], cells: [[Cell]]) {
        let yardstick = try PerceptualDistance(classifier: models[0].classifier)
        let pixels = dataset.pixelCount
        let clean = Tensor(shape: [count, pixels], scalars: Array(dataset.testImages[0..<(count * pixels)]))
        var accuracies: [Double] = []
        var cells: [[Cell]] = []
        for threat in threats {
            var row: [Cell] = []
            for (name, classifier) in models {
                progress?(threat.name, name)
                let start = Date()
                let result = try TestSetAttack.run(
                    threat.attack, method: threat.name, model: classifier, dataset: dataset, count: count,
                    batchSize: classifier.kind == .mlp ? 2000 : 500, threat: threat.threat)
                let seconds = Date().timeIntervalSince(start)
                let distances = yardstick(result.adversarial, clean)
                row.append(
                    Cell(
                        robustAccuracy: result.adversarialAccuracy,
                        perceptualDistance: Double(distances.reduce(0, +)) / Double(max(count, 1)),
                        meanL2: result.meanL2, meanLinf: result.meanLinf, seconds: seconds))
                if accuracies.count < models.count { accuracies.append(result.cleanAccuracy) }
            }
            cells.append(row)
        }
        return (accuracies, cells)
    }
}
