import Models
import TensorCore

/// Black-box access to a classifier: class probabilities for submitted images, and nothing else (no
/// logits' gradients, no weights). Black-box attacks hold only this protocol, so they cannot take a
/// gradient by construction; every image submitted counts as one query.
public protocol ProbabilityOracle: AnyObject {
    /// Pixels per image the oracle accepts.
    var pixelCount: Int { get }
    /// The images' height and width (their product is `pixelCount`), for attacks that change windows
    /// of pixels: by default a square when `pixelCount` is one, else one row.
    var imageSize: (height: Int, width: Int) { get }
    var classCount: Int { get }
    /// Images submitted so far.
    var queries: Int { get }
    /// Softmax probabilities for `count` images.
    /// - Parameter images: `count * pixelCount` pixels, row-major. - Returns: `count * classCount` values.
    func probabilities(_ images: [Float], count: Int) -> [Float]
}

extension ProbabilityOracle {
    public var imageSize: (height: Int, width: Int) {
        let side = Int(Float(pixelCount).squareRoot().rounded())
        return side * side == pixelCount ? (side, side) : (1, pixelCount)
    }
}

/// A classifier behind the `ProbabilityOracle` interface (evaluated without gradients, in the mode the
/// caller set).
public final class ClassifierOracle: ProbabilityOracle {
    private let classifier: Classifier
    public private(set) var queries = 0

    public init(_ classifier: Classifier) { self.classifier = classifier }

    public var pixelCount: Int { classifier.imageHeight * classifier.imageWidth }
    public var imageSize: (height: Int, width: Int) { (classifier.imageHeight, classifier.imageWidth) }
    public var classCount: Int { classifier.classCount }

    public func probabilities(_ images: [Float], count: Int) -> [Float] {
        precondition(images.count == count * pixelCount, "oracle: \(images.count) pixels for \(count) images")
        queries += count
        return noGrad { classifier(Tensor(shape: [count, pixelCount], scalars: images)).softmax().scalars }
    }
}

/// A black-box attack: needs only an oracle. `makeRun(classifier:...)` wraps the classifier in a
/// `ClassifierOracle` and hands the attack nothing else.
public protocol BlackBoxAttack: Attack {
    /// Prepares a run that sees the model only through `oracle`.
    func makeRun(oracle: any ProbabilityOracle, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
}

extension BlackBoxAttack {
    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        try makeRun(oracle: ClassifierOracle(classifier), images: images, labels: labels, threat: threat)
    }
}

/// Checks a black-box batch against the oracle; returns the clean probabilities (one query per image)
/// and the per-image targets.
func validateBlackBox(oracle: any ProbabilityOracle, images: Tensor, labels: [Int], goal: AttackGoal) throws -> (
    probabilities: [Float], targets: [Int]?
) {
    guard images.rank == 2, images.shape[1] == oracle.pixelCount else {
        throw AttackError("images have shape \(images.shape); the model takes \(oracle.pixelCount) pixels")
    }
    guard images.shape[0] == labels.count, !labels.isEmpty else {
        throw AttackError("\(images.shape[0]) images but \(labels.count) labels")
    }
    let classes = oracle.classCount
    if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
        throw AttackError("label \(bad) is not a class of the model (0..<\(classes))")
    }
    if case .targeted(let t) = goal, t < 0 || t >= classes {
        throw AttackError("target class \(t) is outside the model's classes 0..<\(classes)")
    }
    let probabilities = oracle.probabilities(images.scalars, count: labels.count)
    let targets: [Int]?
    switch goal {
    case .untargeted: targets = nil
    case .targeted(let t): targets = [Int](repeating: t, count: labels.count)
    case .leastLikely:
        targets = labels.indices.map { i in
            let row = probabilities[(i * classes)..<((i + 1) * classes)]
            return row.indices.min { row[$0] < row[$1] }! - i * classes
        }
    }
    return (probabilities, targets)
}

/// The argmax of each row of `probabilities` (`count * classes`).
func rowArgmax(_ probabilities: [Float], classes: Int) -> [Int] {
    stride(from: 0, to: probabilities.count, by: classes).map { start in
        var best = start
        for j in start..<(start + classes) where probabilities[j] > probabilities[best] { best = j }
        return best - start
    }
}

/// A run that sees the model only through an oracle: predictions come from its own queries' answers.
class BlackBoxAttackRun: AttackRun {
    let oracle: any ProbabilityOracle
    /// The latest prediction for each image of `output`, from the queries made.
    var currentPredictions: [Int]

    init(
        method: String, oracle: any ProbabilityOracle, clean: Tensor, labels: [Int], targets: [Int]?,
        cleanProbabilities: [Float], iterationCount: Int
    ) {
        self.oracle = oracle
        let predicted = rowArgmax(cleanProbabilities, classes: oracle.classCount)
        currentPredictions = predicted
        super.init(
            method: method, clean: clean, labels: labels, targets: targets, cleanPredictions: predicted,
            iterationCount: iterationCount)
        queries = oracle.queries
    }

    override func predict(_ images: Tensor) -> [Int] { currentPredictions }
}
