import Models
import TensorCore

/// DeepFool (Moosavi-Dezfooli, Fawzi & Frossard 2016, "DeepFool: a simple and accurate method to fool
/// deep neural networks"), L2, untargeted: the minimal perturbation that crosses the nearest decision
/// boundary, found by linearising the classifier around the current point.
///
/// Multi-class version over the top-`candidates` classes of the clean logits (k_0 the clean prediction):
/// at `x_i`, for each candidate `k != k_0`, `w_k = grad Z_k(x_i) - grad Z_{k_0}(x_i)` and
/// `f_k = Z_k(x_i) - Z_{k_0}(x_i)`; the nearest linearised boundary is `l = argmin_k |f_k| / ||w_k||_2`, the
/// step `r_i = (|f_l| + 1e-4) / ||w_l||_2^2 * w_l`, and `x_{i+1} = clip_[0,1](x + (1 + overshoot) * sum_i r_i)`,
/// until the prediction leaves `k_0` or `steps` iterations are done.
///
/// - `steps`: maximum iterations (default 50). `overshoot`: default 0.02. `candidates`: classes considered
///   (default 10; capped at the model's class count).
/// Threat model: untargeted only; DeepFool minimises L2 instead of bounding it (`epsilon` is ignored).
/// Input `[batch, pixels]`; each iteration takes `candidates` logit gradients per image still at `k_0`.
public struct DeepFool: Attack {
    public var steps: Int
    public var overshoot: Float
    public var candidates: Int

    public var name: String { "deepfool" }
    public var citation: String {
        "Moosavi-Dezfooli, Fawzi & Frossard 2016, DeepFool: a simple and accurate method to fool deep neural networks"
    }

    public init(steps: Int = 50, overshoot: Float = 0.02, candidates: Int = 10) {
        self.steps = steps
        self.overshoot = overshoot
        self.candidates = candidates
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.goal == .untargeted else { throw AttackError("DeepFool is untargeted; drop --target") }
        guard steps >= 1, candidates >= 2 else { throw AttackError("DeepFool needs a step and at least 2 candidates") }
        guard overshoot >= 0, overshoot.isFinite else { throw AttackError("overshoot must be >= 0, got \(overshoot)") }
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat, checkEpsilon: false)
        return DeepFoolRun(attack: self, classifier: classifier, images: images.detached(), labels: labels)
    }
}

/// DeepFool's step machine: one linearisation per iteration for every image still classified as its
/// clean prediction.
final class DeepFoolRun: GradientAttackRun {
    let overshoot: Float
    /// Per image: the candidate classes, the clean prediction first.
    let candidateClasses: [[Int]]
    /// The accumulated perturbation `sum_i r_i`, `[batch, pixels]`.
    private let total: Tensor
    private var done: [Bool]

    init(attack: DeepFool, classifier: Classifier, images: Tensor, labels: [Int]) {
        overshoot = attack.overshoot
        let k = min(attack.candidates, classifier.classCount)
        let logits = noGrad { classifier(images) }
        candidateClasses = logits.topK(k).map(\.indices)
        total = Tensor(zeros: images.shape)
        done = [Bool](repeating: false, count: labels.count)
        super.init(
            method: "deepfool", classifier: classifier, clean: images, labels: labels, targets: nil,
            iterationCount: attack.steps)
    }

    override func performStep() throws {
        let active = labels.indices.filter { !done[$0] }
        guard !active.isEmpty else {
            stoppedEarly = true
            return
        }
        let pixels = clean.shape[1]
        let k = candidateClasses[0].count
        let x = adversarial.selectingRows(active)
        let (gradients, logits) = InputGradient.classGradients(
            classifier, at: x, classes: active.map { candidateClasses[$0] })
        gradientEvaluations += ExpectationOverTransformation.evaluations(active.count * k)
        let predicted = logits.argmax()
        let g = gradients.data
        let z = logits.data
        let classes = logits.shape[1]
        var distanceSum = 0.0
        var moved = 0
        for (slot, image) in active.enumerated() {
            let original = candidateClasses[image][0]
            if predicted[slot] != original {
                done[image] = true
                continue
            }
            let base = g + slot * k * pixels
            var best = (distance: Float.infinity, f: Float(0), j: 1, norm2: Float(1))
            for j in 1..<k {
                let f = z[slot * classes + candidateClasses[image][j]] - z[slot * classes + original]
                var norm2: Float = 0
                for p in 0..<pixels {
                    let w = base[j * pixels + p] - base[p]
                    norm2 += w * w
                }
                let distance = abs(f) / (norm2.squareRoot() + 1e-8)
                if distance < best.distance { best = (distance, f, j, norm2) }
            }
            distanceSum += Double(best.distance)
            moved += 1
            let scale = (abs(best.f) + 1e-4) / (best.norm2 + 1e-8)
            let t = total.data + image * pixels
            let a = adversarial.data + image * pixels
            let c = clean.data + image * pixels
            for p in 0..<pixels {
                t[p] += scale * (base[best.j * pixels + p] - base[p])
                a[p] = min(max(c[p] + (1 + overshoot) * t[p], 0), 1)
            }
        }
        loss = moved > 0 ? distanceSum / Double(moved) : 0
        if done.allSatisfy({ $0 }) { stoppedEarly = true }
    }
}

extension DeepFool {
    /// The DeepFool perturbation of each row of `x` (`[n, pixels]`): `output - x`, `[n, pixels]`, and the
    /// gradients it took. Used by the universal perturbation.
    func perturbation(of x: Tensor, classifier: Classifier) -> (delta: Tensor, gradients: Int) {
        let labels = noGrad { classifier(x).argmax() }
        let run = DeepFoolRun(attack: self, classifier: classifier, images: x.detached(), labels: labels)
        while !run.isFinished { try? run.step() }
        return (run.output - x, run.gradientEvaluations)
    }
}
