import Attacks
import Models
import TensorCore

/// The per-epoch check for catastrophic overfitting (Wong, Rice & Kolter 2020, section 5): FGSM and PGD
/// accuracy on one fixed batch of training images. A model that has overfitted to FGSM keeps a high FGSM
/// accuracy while its PGD accuracy collapses.
///
/// The batch is the first `count` training images; FGSM takes one step of eps; PGD takes `steps` steps
/// of 2.5 eps / steps from a uniform random start drawn from a fixed seed, so every epoch (and a resumed
/// run) measures the same thing.
public struct RobustnessProbe {
    public let images: Tensor
    public let labels: [Int]
    public let epsilon: Float
    public let steps: Int
    public let seed: UInt64

    /// The default batch size and PGD steps.
    public static let defaultCount = 256
    public static let defaultSteps = 10

    /// - Parameters: images `[n, pixels]` and their labels.
    public init(images: Tensor, labels: [Int], epsilon: Float, steps: Int = defaultSteps, seed: UInt64 = 0) {
        self.images = images
        self.labels = labels
        self.epsilon = epsilon
        self.steps = steps
        self.seed = seed
    }

    /// FGSM and PGD accuracy of `model` on the batch.
    /// - Throws: an attack's error.
    public func measure(_ model: Classifier) throws -> (fgsm: Double, pgd: Double) {
        let threat = ThreatModel(norm: .linf, epsilon: epsilon)
        let pgd = PGD(
            steps: steps, stepSize: AdversarialExamples.pgdStepSize(epsilon: epsilon, steps: steps), randomStart: true,
            restarts: 1, seed: seed)
        func accuracy(_ attack: any Attack) throws -> Double {
            let run = try attack.makeRun(classifier: model, images: images, labels: labels, threat: threat)
            while !run.isFinished { try run.step() }
            let correct = zip(run.predictions, labels).filter { $0 == $1 }.count
            return Double(correct) / Double(max(labels.count, 1))
        }
        return (try accuracy(FGSM()), try accuracy(pgd))
    }
}

/// The rule that says a run has overfitted catastrophically: at some epoch the training-batch FGSM
/// accuracy exceeds the PGD accuracy by more than `gap`, and either the PGD accuracy is more than `drop`
/// below its best so far (Wong et al.'s sudden collapse, PGD accuracy to near 0 within an epoch) or that
/// FGSM-PGD gap has widened by more than `drop` since its smallest value (the gradual form, where FGSM
/// accuracy climbs while PGD accuracy stalls or slides: the gap Andriushchenko & Flammarion 2020 use to
/// define catastrophic overfitting). Defaults 0.2 and 0.3. Healthy PGD and fgsm-rs training keeps the
/// gap under about 0.07 (README, "Adversarial training").
public struct CatastrophicOverfittingRule: Sendable {
    public var drop: Double
    public var gap: Double

    public init(drop: Double = 0.2, gap: Double = 0.3) {
        self.drop = drop
        self.gap = gap
    }

    /// The first epoch (1-based) at which the rule fires, given per-epoch FGSM and PGD accuracies; nil
    /// when it never does.
    public func firstCollapse(fgsm: [Double], pgd: [Double]) -> Int? {
        var best = -Double.infinity
        var narrowest = Double.infinity
        for (index, (f, p)) in zip(fgsm, pgd).enumerated() {
            best = max(best, p)
            narrowest = min(narrowest, f - p)
            let widened = (f - p) - narrowest > drop
            if f - p > gap && (best - p > drop || widened) { return index + 1 }
        }
        return nil
    }
}
