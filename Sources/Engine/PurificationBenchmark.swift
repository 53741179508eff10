import Attacks
import Datasets
import Foundation
import Models
import TensorCore

/// The table of `manifold bench purify`: a classifier alone and behind each purifier, under no attack and
/// under each adaptive attack of `AdaptiveAttack` (one L-inf PGD for all of them), with the purifier's
/// randomness fresh (evaluation draws new noise) and, for the gradient attacks, fixed (the attack and the
/// evaluation share the draws). The figure to believe for a purifier as deployed (fresh draws) is the
/// lowest robust accuracy of any attack run against it (`Row.isStrongest`); the fixed rows show how much
/// of that robustness lives in the randomness alone.
public struct PurificationBenchmark {
    /// One cell of the table.
    public struct Row: Sendable {
        /// `none` for the undefended classifier, else the purifier's run name.
        public var purifier: String
        public var attack: AdaptiveAttack
        public var randomness: PurifierRandomness
        public var robustAccuracy: Double
        public var seconds: Double
        /// True for the row with the lowest robust accuracy under attack of its purifier, fresh randomness.
        public var isStrongest = false
    }

    public let classifier: Classifier
    public let purifiers: [(name: String, purifier: any Purifier)]
    public let dataset: Dataset
    public let count: Int
    public let threat: ThreatModel
    public let attack: any Attack
    public let eotDraws: Int
    public let batchSize: Int
    public let seed: UInt64

    public init(
        classifier: Classifier, purifiers: [(name: String, purifier: any Purifier)], dataset: Dataset, count: Int,
        threat: ThreatModel, attack: any Attack, eotDraws: Int, batchSize: Int, seed: UInt64
    ) {
        self.classifier = classifier
        self.purifiers = purifiers
        self.dataset = dataset
        self.count = count
        self.threat = threat
        self.attack = attack
        self.eotDraws = eotDraws
        self.batchSize = batchSize
        self.seed = seed
    }

    /// The cells a run produces, in order (for progress): purifier, attack and randomness.
    public var plan: [(purifier: String, attack: AdaptiveAttack, randomness: PurifierRandomness)] {
        var cells: [(String, AdaptiveAttack, PurifierRandomness)] = [("none", .none, .fresh), ("none", .naive, .fresh)]
        for (name, purifier) in purifiers {
            cells += [(name, .none, .fresh)] + AdaptiveAttack.attacks.map { (name, $0, .fresh) }
            if purifier.isRandomised { cells += [(name, .bpda, .fixed), (name, .full, .fixed)] }
        }
        return cells
    }

    /// Runs every cell of `plan`, calling `progress` before each.
    public func run(
        progress: (_ index: Int, _ total: Int, _ purifier: String, _ attack: String) -> Void = { _, _, _, _ in }
    )
        throws -> [Row]
    {
        let pixels = dataset.pixelCount
        let clean = Tensor(shape: [count, pixels], copying: dataset.testImages[0..<(count * pixels)])
        let labels = Array(dataset.testLabels[0..<count])
        func accuracy(_ predicted: [Int]) -> Double {
            Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(count)
        }
        let cells = plan
        var rows: [Row] = []
        for (index, cell) in cells.enumerated() {
            progress(index, cells.count, cell.purifier, cell.attack.rawValue + " " + cell.randomness.rawValue)
            let start = Date()
            let robust: Double
            if let purifier = purifiers.first(where: { $0.name == cell.purifier })?.purifier {
                let defence = PurifiedAttack(
                    purifier: purifier, randomness: cell.randomness, eotDraws: eotDraws, seed: seed)
                if cell.attack == .none {
                    robust = accuracy(try defence.predictions(classifier, images: clean, batchSize: batchSize))
                } else {
                    let result = try defence.run(
                        attack, method: "pgd", mode: cell.attack, classifier: classifier, dataset: dataset,
                        count: count,
                        batchSize: batchSize, threat: threat)
                    robust = result.adversarialAccuracy
                }
            } else if cell.attack == .none {
                robust = accuracy(noGrad { classifier(clean).argmax() })
            } else {
                let result = try TestSetAttack.run(
                    attack, method: "pgd", model: classifier, dataset: dataset, count: count, batchSize: batchSize,
                    threat: threat)
                robust = result.adversarialAccuracy
            }
            rows.append(
                Row(
                    purifier: cell.purifier, attack: cell.attack, randomness: cell.randomness, robustAccuracy: robust,
                    seconds: Date().timeIntervalSince(start)))
        }
        for name in Set(rows.map(\.purifier)) {
            let attacked = rows.indices.filter {
                rows[$0].purifier == name && rows[$0].attack != .none && rows[$0].randomness == .fresh
            }
            if let best = attacked.min(by: { rows[$0].robustAccuracy < rows[$1].robustAccuracy }) {
                rows[best].isStrongest = true
            }
        }
        return rows
    }
}
