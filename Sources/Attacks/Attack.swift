import Models
import TensorCore

/// An adversarial attack on an image classifier (MATH.md section 10).
///
/// An attack takes a classifier, a batch of images `[batch, height*width]` (pixels in [0, 1]) with their
/// labels, and a threat model, and returns adversarial images of the same shape plus per-image results.
/// Every attack is a step machine: `makeRun` validates the inputs and returns an `AttackRun` whose
/// `step()` does one iteration, so a screen can show the attack iteration by iteration;
/// `attack(_:images:labels:threat:)` runs it to the end.
///
/// Attacks evaluate the model in whatever mode the caller set (`setTraining`): they never switch it.
/// Gradient attacks take gradients with respect to the input only: parameters are frozen for the
/// duration of a step and restored afterwards, so parameter gradients are left as they were.
public protocol Attack {
    /// The method's name as the command line spells it (`fgsm`, `pgd`, ...).
    var name: String { get }
    /// The paper the attack implements.
    var citation: String { get }
    /// Validates the inputs and prepares a run; no model evaluation beyond the clean predictions.
    /// - Parameters:
    ///   - classifier: the model under attack (white-box attacks use its gradients).
    ///   - images: `[batch, height*width]`, pixels in [0, 1].
    ///   - labels: `batch` true labels.
    ///   - threat: the norm, radius and goal of the adversary.
    /// - Throws: `AttackError` for inputs that do not fit the model or the threat model.
    func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
}

extension Attack {
    /// Runs the attack to its last step.
    /// - Returns: adversarial images `[batch, height*width]` and per-image outcomes.
    public func attack(_ classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws
        -> AttackResult
    {
        let run = try makeRun(classifier: classifier, images: images, labels: labels, threat: threat)
        while !run.isFinished { try run.step() }
        return run.result()
    }
}

/// The distance in which a perturbation is measured and bounded.
public enum PerturbationNorm: Sendable, Equatable {
    /// Largest absolute pixel change.
    case linf
    /// Euclidean length of the perturbation.
    case l2
    /// Number of changed pixels.
    case l0
}

/// What the adversary wants.
public enum AttackGoal: Sendable, Equatable {
    /// Any wrong class.
    case untargeted
    /// A given class for every image.
    case targeted(Int)
    /// Each image's least likely class under the clean model, `argmin_k p(k | x)` (Kurakin et al. 2016).
    case leastLikely

    public var isTargeted: Bool { self != .untargeted }
}

/// The adversary's constraint and goal: perturbations with `norm(x' - x) <= epsilon`, pixels in [0, 1].
public struct ThreatModel: Sendable, Equatable {
    public var norm: PerturbationNorm
    /// The radius (pixels for L0).
    public var epsilon: Float
    public var goal: AttackGoal

    public init(norm: PerturbationNorm = .linf, epsilon: Float, goal: AttackGoal = .untargeted) {
        self.norm = norm
        self.epsilon = epsilon
        self.goal = goal
    }
}

/// An attack's input that cannot work: one line naming the problem.
public struct AttackError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Checks shared by every attack: the batch fits the model, labels and targets are classes, the radius
/// is usable. Returns the per-image targets (nil when untargeted) from the clean logits.
func validate(
    classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel, checkEpsilon: Bool = true
) throws -> [Int]? {
    let pixels = classifier.imageHeight * classifier.imageWidth
    guard images.rank == 2, images.shape[1] == pixels else {
        let got = images.rank == 2 ? "\(images.shape[1]) pixels" : "shape \(images.shape)"
        throw AttackError(
            "images have \(got); the model takes \(classifier.imageHeight)x\(classifier.imageWidth) = \(pixels)")
    }
    guard images.shape[0] == labels.count else {
        throw AttackError("\(images.shape[0]) images but \(labels.count) labels")
    }
    guard images.shape[0] > 0 else { throw AttackError("no images to attack") }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classifier.classCount }) {
        throw AttackError("label \(bad) is not a class of the model (0..<\(classifier.classCount))")
    }
    if checkEpsilon {
        switch threat.norm {
        case .linf:
            guard threat.epsilon > 0, threat.epsilon <= 1 else {
                throw AttackError("L-inf radius eps must be in (0, 1], got \(threat.epsilon)")
            }
        case .l2:
            let limit = Float(pixels).squareRoot()
            guard threat.epsilon > 0, threat.epsilon <= limit else {
                throw AttackError("L2 radius eps must be in (0, \(limit)], got \(threat.epsilon)")
            }
        case .l0:
            guard threat.epsilon >= 1, threat.epsilon <= Float(pixels) else {
                throw AttackError("L0 budget must be 1 to \(pixels) pixels, got \(threat.epsilon)")
            }
        }
    }
    switch threat.goal {
    case .untargeted:
        return nil
    case .targeted(let target):
        guard target >= 0, target < classifier.classCount else {
            throw AttackError("target class \(target) is outside the model's classes 0..<\(classifier.classCount)")
        }
        return [Int](repeating: target, count: labels.count)
    case .leastLikely:
        return noGrad { classifier(images).argmin() }
    }
}
