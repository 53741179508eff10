import Foundation
import Models
import TensorCore

/// Auto-PGD (Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks"), L-inf or L2, with the cross-entropy or the DLR loss (`DLRLoss`): PGD without a
/// step size to tune.
///
/// Start at a random point of the eps-ball with step size `eta = 2 eps`. Each iteration takes a projected
/// gradient step `z = P(x_k + eta * s(g_k))` (s = sign for L-inf, g/||g||_2 for L2) and adds momentum:
/// `x_{k+1} = P(x_k + 0.75 (z - x_k) + 0.25 (x_k - x_{k-1}))` (no momentum on the first step). At the
/// checkpoints `w_j = ceil(p_j N)`, `p_0 = 0`, `p_1 = 0.22`, `p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)`,
/// an image halves its step size and restarts from its best point if the loss rose in fewer than
/// `rho = 0.75` of the steps since the last checkpoint, or if the step size was not halved last time and
/// the best loss did not improve. Output per image: the first iterate that fooled the model if any, else the
/// highest-loss iterate. Targeted goals maximise `-CE(x, t)`, or the targeted DLR loss.
///
/// With `eotSamples` > 1 every gradient and loss is the mean over that many evaluations at the same point
/// (Expectation over Transformation, Athalye et al. 2018), as AutoAttack's `rand` version does against
/// randomised defences; a deterministic model gets the same gradient each time.
///
/// - `steps`: N, iterations (default 100). `rho`: default 0.75. `seed`: the random start, drawn per image from
///   the seed and the image's pixels, so an image's result does not depend on its batch. `loss`: `.crossEntropy`
///   (default) or `.dlr` (needs 3 classes; targeted, 4). `eotSamples`: default 1.
/// Threat model: `.linf` (eps in (0, 1]) or `.l2`, any goal. Input `[batch, pixels]`; `eotSamples` gradients
/// per image per iteration plus as many for the start.
public struct APGD: Attack {
    /// The objective APGD ascends.
    public enum Loss: String, Sendable, CaseIterable {
        /// Softmax cross-entropy (its negative to a target).
        case crossEntropy = "ce"
        /// The Difference of Logits Ratio (`DLRLoss`).
        case dlr
    }

    public var steps: Int
    public var rho: Double
    public var seed: UInt64
    public var loss: Loss
    public var eotSamples: Int

    public var name: String { "apgd" }
    public var citation: String {
        "Croce & Hein 2020, Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks"
    }

    public init(steps: Int = 100, rho: Double = 0.75, seed: UInt64 = 0, loss: Loss = .crossEntropy, eotSamples: Int = 1)
    {
        self.steps = steps
        self.rho = rho
        self.seed = seed
        self.loss = loss
        self.eotSamples = eotSamples
    }

    /// The checkpoint iterations `w_j = ceil(p_j N)` for `N = steps` iterations.
    ///
    /// The `p_j` are kept in whole hundredths (0, 22, 41, 57, 70, 80, 87, 93, 99), so `p_j N` is exact: in
    /// binary floating point the sum 0.22 + 0.19 + 0.16 is 0.5700000000000001, whose `p N` rounds up to 58 for
    /// N = 100, one iteration after the paper's (and AutoAttack's) checkpoint.
    public static func checkpoints(steps: Int) -> [Int] {
        var p = [0, 22]
        while p.last! < 100 { p.append(p[p.count - 1] + max(p[p.count - 1] - p[p.count - 2] - 3, 6)) }
        let iterations = p.dropLast().map { ($0 * steps + 99) / 100 }.filter { $0 > 0 && $0 <= steps }
        return Array(Set(iterations)).sorted()
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm != .l0 else { throw AttackError("APGD bounds L-inf or L2 perturbations, not L0") }
        guard steps >= 1, rho > 0, rho <= 1 else { throw AttackError("APGD needs steps >= 1 and rho in (0, 1]") }
        guard eotSamples >= 1 else { throw AttackError("APGD needs at least one EOT sample") }
        try checkClasses(classifier.classCount, targeted: threat.goal.isTargeted)
        let targets = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        return APGDRun(
            attack: self, classifier: classifier, images: images.detached(), labels: labels, targets: targets,
            lossTargets: targets, threat: threat)
    }

    /// Throws when the loss is not defined for `classes` classes (DLR needs 3; targeted, 4).
    func checkClasses(_ classes: Int, targeted: Bool) throws {
        guard loss == .dlr else { return }
        let needed = targeted ? DLRLoss.minimumTargetedClasses : DLRLoss.minimumClasses
        guard classes >= needed else {
            throw AttackError(
                "the \(targeted ? "targeted " : "")DLR loss needs at least \(needed) classes; the model has \(classes)")
        }
    }

    /// The run's method name: `apgd`, with `-dlr` for the DLR loss and `-l2` for the L2 ball.
    func methodName(norm: PerturbationNorm) -> String {
        "apgd" + (loss == .dlr ? "-dlr" : "") + (norm == .l2 ? "-l2" : "")
    }
}

/// APGD's step machine: one momentum step per iteration (the first also takes the start's gradient).
final class APGDRun: GradientAttackRun {
    let threat: ThreatModel
    let rho: Double
    let lossKind: APGD.Loss
    let eotSamples: Int
    /// The classes the loss aims at (nil: away from the label). Equal to `targets` for a targeted attack;
    /// APGD-T sets them on an untargeted run, so success stays "misclassified" (`TargetSweep`).
    let lossTargets: [Int]?
    let checkpoints: Set<Int>
    private var previous: Tensor
    private var gradient: Tensor?
    private var bestLoss: [Float]
    private var best: Tensor
    private var bestGradient: Tensor
    private var firstFooling: Tensor
    private var fooled: [Bool]
    private var stepSize: [Float]
    /// Per image: the loss after each iteration since the start (index 0: the start).
    private var history: [[Float]]
    private var lastCheckpoint = 0
    private var bestAtLastCheckpoint: [Float]
    private var reducedAtLastCheckpoint: [Bool]

    init(
        attack: APGD, classifier: Classifier, images: Tensor, labels: [Int], targets: [Int]?, lossTargets: [Int]?,
        threat: ThreatModel
    ) {
        self.threat = threat
        rho = attack.rho
        lossKind = attack.loss
        eotSamples = attack.eotSamples
        self.lossTargets = lossTargets
        checkpoints = Set(APGD.checkpoints(steps: attack.steps))
        let start = Projection.randomStart(
            around: images, norm: threat.norm, epsilon: threat.epsilon, seed: attack.seed)
        previous = start
        best = start.copy()
        bestGradient = Tensor(zeros: images.shape)
        firstFooling = start.copy()
        let count = labels.count
        bestLoss = [Float](repeating: -.infinity, count: count)
        fooled = [Bool](repeating: false, count: count)
        stepSize = [Float](repeating: 2 * threat.epsilon, count: count)
        history = [[Float]](repeating: [], count: count)
        bestAtLastCheckpoint = bestLoss
        reducedAtLastCheckpoint = [Bool](repeating: true, count: count)
        super.init(
            method: attack.methodName(norm: threat.norm), classifier: classifier, clean: images, labels: labels,
            targets: targets, iterationCount: attack.steps)
        adversarial = start
    }

    override var output: Tensor {
        let out = best.copy()
        Projection.copyRows(from: firstFooling, into: out, where: fooled)
        return out
    }

    /// Loss per image (`direction * CE`, or DLR) and gradient at `x`, averaged over the EOT samples; updates
    /// the best points and fooled images.
    private func evaluate(_ x: Tensor) -> Tensor {
        var (g, logits, values) = sample(x)
        if eotSamples > 1 {
            for _ in 1..<eotSamples {
                let next = sample(x)
                for i in 0..<g.count { g.data[i] += next.gradient.data[i] }
                for i in values.indices { values[i] += next.values[i] }
            }
            let scale = 1 / Float(eotSamples)
            for i in 0..<g.count { g.data[i] *= scale }
            for i in values.indices { values[i] *= scale }
        }
        let pixels = x.shape[1]
        let predicted = logits.argmax()
        var sum = 0.0
        for i in labels.indices {
            let value = values[i]
            sum += Double(value)
            history[i].append(value)
            if value > bestLoss[i] {
                bestLoss[i] = value
                (best.data + i * pixels).update(from: x.data + i * pixels, count: pixels)
                (bestGradient.data + i * pixels).update(from: g.data + i * pixels, count: pixels)
            }
            if !fooled[i], isSuccess(prediction: predicted[i], image: i) {
                fooled[i] = true
                (firstFooling.data + i * pixels).update(from: x.data + i * pixels, count: pixels)
            }
        }
        let direction: Float = lossKind == .crossEntropy && lossTargets != nil ? -1 : 1
        loss = sum / Double(labels.count) * Double(direction)
        return g
    }

    /// One evaluation at `x`: the ascent gradient, the logits and each image's loss (`direction * CE`, or DLR).
    private func sample(_ x: Tensor) -> (gradient: Tensor, logits: Tensor, values: [Float]) {
        switch lossKind {
        case .dlr:
            let classes = classifier.classCount
            let (g, values, logits) = logitLossGradient(at: x) { i, z, gradient in
                DLRLoss.value(
                    logits: z, classes: classes, label: labels[i], target: lossTargets?[i], gradient: gradient)
            }
            return (g, logits, values)
        case .crossEntropy:
            gradientEvaluations += ExpectationOverTransformation.evaluations(x.shape[0])
            let lossLabels = lossTargets ?? labels
            let direction: Float = lossTargets == nil ? 1 : -1
            let (g, _, logits) = GradientAttackRun.lossGradient(
                classifier, frozen: frozen, at: x, labels: lossLabels, targeted: lossTargets != nil)
            let classes = logits.shape[1]
            var exponentials = [Float](repeating: 0, count: classes)
            let values = labels.indices.map { i in
                let row = logits.data + i * classes
                let (top, total) = ElementwiseKernels.shiftedExponentials(row, &exponentials, classes)
                return direction * (top + log(total) - row[lossLabels[i]])
            }
            return (g, logits, values)
        }
    }

    /// `P(x)`: into the eps-ball around the clean images and [0, 1], row by row.
    private func project(_ x: Tensor) {
        let (batch, pixels) = (clean.shape[0], clean.shape[1])
        let o = x.data
        let c = clean.data
        let eps = threat.epsilon
        for row in 0..<batch {
            let range = (row * pixels)..<((row + 1) * pixels)
            if threat.norm == .l2 {
                var squares: Float = 0
                for i in range { squares += (o[i] - c[i]) * (o[i] - c[i]) }
                Projection.projectL2(o, clean: c, range: range, squaredNorm: squares, epsilon: eps)
            } else {
                for i in range { o[i] = min(max(min(max(o[i], c[i] - eps), c[i] + eps), 0), 1) }
            }
        }
    }

    override func performStep() throws {
        let current = adversarial
        let g = gradient ?? evaluate(current)
        let (batch, pixels) = (clean.shape[0], clean.shape[1])
        // z = P(x_k + eta s(g))
        let z = current.copy()
        for row in 0..<batch {
            let range = (row * pixels)..<((row + 1) * pixels)
            var scale = stepSize[row]
            if threat.norm == .l2 {
                var norm: Float = 0
                for i in range { norm += g.data[i] * g.data[i] }
                scale /= norm.squareRoot() + 1e-12
                for i in range { z.data[i] += scale * g.data[i] }
            } else {
                for i in range { z.data[i] += scale * (g.data[i] > 0 ? 1 : g.data[i] < 0 ? -1 : 0) }
            }
        }
        project(z)
        let momentum: Float = iteration == 0 ? 1 : 0.75
        let next = Tensor(zeros: clean.shape)
        for i in 0..<(batch * pixels) {
            next.data[i] =
                current.data[i] + momentum * (z.data[i] - current.data[i])
                + (1 - momentum) * (current.data[i] - previous.data[i])
        }
        project(next)
        previous = current
        adversarial = next
        gradient = evaluate(next)
        if checkpoints.contains(iteration + 1) { checkpoint(at: iteration + 1) }
    }

    /// Halves the step size (and restarts from the best point) where progress stalled since the last checkpoint.
    private func checkpoint(at k: Int) {
        let span = k - lastCheckpoint
        let pixels = clean.shape[1]
        for i in labels.indices {
            let h = history[i]
            var increases = 0
            for j in (h.count - span)..<h.count where j >= 1 && h[j] > h[j - 1] { increases += 1 }
            let oscillating = Double(increases) <= Double(span) * rho
            let stalled = !reducedAtLastCheckpoint[i] && bestAtLastCheckpoint[i] >= bestLoss[i]
            let reduce = oscillating || stalled
            reducedAtLastCheckpoint[i] = reduce
            bestAtLastCheckpoint[i] = bestLoss[i]
            guard reduce else { continue }
            stepSize[i] /= 2
            (adversarial.data + i * pixels).update(from: best.data + i * pixels, count: pixels)
            (gradient!.data + i * pixels).update(from: bestGradient.data + i * pixels, count: pixels)
        }
        lastCheckpoint = k
    }
}
