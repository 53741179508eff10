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

    /// The four threat models at these budgets (`bench threats`' defaults): L-inf PGD, L2 PGD (`steps`
    /// steps, random start), the spatial grid (5 angles up to `rotation` degrees unless 0, shifts up to
    /// `shift` pixels) and LPA (5 rounds of `steps`, bounded by each model's own perceptual distance).
    public static func standardThreats(
        eps: Float = 0.1, l2: Float = 1.5, rotation: Double = 10, shift: Int = 1, bound: Double = 0.1, steps: Int = 20
    ) -> [Threat] {
        [
            Threat(
                name: "pgd-linf", budget: "eps \(eps)", attack: PGD(steps: steps), threat: ThreatModel(epsilon: eps)),
            Threat(
                name: "pgd-l2", budget: "eps \(l2)", attack: PGD(steps: steps),
                threat: ThreatModel(norm: .l2, epsilon: l2)),
            Threat(
                name: "spatial", budget: String(format: "±%g deg, ±%d px", rotation, shift),
                attack: SpatialTransformation(
                    maxRotation: Float(rotation), rotationSteps: rotation == 0 ? 1 : 5, maxShift: shift),
                threat: ThreatModel(epsilon: 1)),
            Threat(
                name: "lpa", budget: "bound \(bound)",
                attack: LagrangianPerceptualAttack(bound: Float(bound), steps: steps),
                threat: ThreatModel(epsilon: 1)),
        ]
    }

    /// The clean accuracy of each model on the images, and `cells[threat][model]`.
    /// - Parameter progress: the threat and model about to be attacked.
    public func run(progress: ((String, String) -> Void)? = nil) throws -> (clean: [Double], cells: [[Cell]]) {
        let yardstick = try PerceptualDistance(classifier: models[0].classifier)
        var accuracies: [Double] = []
        var cells: [[Cell]] = []
        for threat in threats.indices {
            var row: [Cell] = []
            for model in models.indices {
                progress?(threats[threat].name, models[model].name)
                let (cell, clean) = try attack(threat: threat, model: model, yardstick: yardstick)
                row.append(cell)
                if accuracies.count < models.count { accuracies.append(clean) }
            }
            cells.append(row)
        }
        return (accuracies, cells)
    }

    /// One cell: `threats[threat]` against `models[model]`, measured by `yardstick` (the first model's
    /// perceptual distance), and the model's clean accuracy on the images.
    public func attack(threat: Int, model: Int, yardstick: PerceptualDistance) throws -> (cell: Cell, clean: Double) {
        let pixels = dataset.pixelCount
        let clean = Tensor(shape: [count, pixels], copying: dataset.testImages[0..<(count * pixels)])
        let (name, classifier) = (threats[threat].name, models[model].classifier)
        let start = Date()
        let result = try TestSetAttack.run(
            threats[threat].attack, method: name, model: classifier, dataset: dataset, count: count,
            batchSize: classifier.kind == .mlp ? 2000 : 500, threat: threats[threat].threat)
        let seconds = Date().timeIntervalSince(start)
        let distances = yardstick(result.adversarial, clean)
        let cell = Cell(
            robustAccuracy: result.adversarialAccuracy,
            perceptualDistance: Double(distances.reduce(0, +)) / Double(max(count, 1)),
            meanL2: result.meanL2, meanLinf: result.meanLinf, seconds: seconds)
        return (cell, result.cleanAccuracy)
    }
}
