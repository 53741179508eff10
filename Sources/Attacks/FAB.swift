import Models
import TensorCore

/// The Fast Adaptive Boundary attack, FAB (Croce & Hein 2020, "Minimally distorted adversarial examples
/// with a fast adaptive boundary attack"), L-inf or L2: a minimal-norm attack that walks to the nearest
/// decision boundary, then shrinks its way back toward the clean image along it.
///
/// Each iteration linearises the classifier at the iterate `x_k`: for each class `j != y`,
/// `f_j = Z_j(x_k) - Z_y(x_k)` and `w_j = grad Z_j(x_k) - grad Z_y(x_k)`; the nearest linearised boundary is
/// `j* = argmin_j |f_j| / ||w_j||_*` (dual norm: L1 for L-inf, L2 for L2), or the target's for FAB-T. With
/// `d1` the box-constrained projection of `x_k` and `d2` that of the clean `x` onto that hyperplane
/// (`HyperplaneProjection`), the step is the biased combination
/// `x_{k+1} = clip_[0,1]((x_k + eta d1)(1 - alpha) + (x + eta d2) alpha)`,
/// `alpha = min(||d1|| / (||d1|| + ||d2||), alpha_max)`. When `x_{k+1}` is adversarial it is kept if its
/// norm is the smallest yet, and the search restarts closer to `x`: `x_{k+1} = x + beta (x_{k+1} - x)`.
///
/// The output is the smallest adversarial point found if it lies within `epsilon`, else the clean image;
/// `perImageExtras["min_norm"]` holds the smallest norm found, inside the ball or not (NaN if none).
///
/// `restarts` > 1 runs the search again from random points (as the reference implementation does): run
/// `r > 0` starts at `x + 0.5 eps t / ||t||` (`t` uniform in [-1, 1] per pixel for L-inf, Gaussian for L2,
/// drawn from `seed`, the restart and the image's pixels, then clipped to [0, 1]); the smallest adversarial
/// point over all runs is kept.
///
/// - `steps`: iterations per run (default 100). `restarts`: runs (default 1, as AutoAttack's FAB-T). `seed`:
///   the restarts' random starts (default 0). `alphaMax` 0.1, `eta` 1.05, `beta` 0.9 (the paper's values).
///   `targetCount`: nil for FAB (untargeted, or a given target); k for FAB-T, one targeted run per each of
///   the k most likely other classes (`TargetSweepRun`, default 9 in AutoAttack), success = misclassified.
/// Threat model: `.linf` (eps in (0, 1]) or `.l2`; any goal for FAB, untargeted for FAB-T. Input
/// `[batch, pixels]`; each iteration takes `classes` logit gradients per image (with a target: 1).
public struct FAB: Attack {
    public var steps: Int
    public var restarts: Int
    public var seed: UInt64
    public var alphaMax: Float
    public var eta: Float
    public var beta: Float
    public var targetCount: Int?

    public var name: String { targetCount == nil ? "fab" : "fab-t" }
    public var citation: String {
        "Croce & Hein 2020, Minimally distorted adversarial examples with a fast adaptive boundary attack"
    }

    public init(
        steps: Int = 100, restarts: Int = 1, seed: UInt64 = 0, alphaMax: Float = 0.1, eta: Float = 1.05,
        beta: Float = 0.9, targetCount: Int? = nil
    ) {
        self.steps = steps
        self.restarts = restarts
        self.seed = seed
        self.alphaMax = alphaMax
        self.eta = eta
        self.beta = beta
        self.targetCount = targetCount
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm != .l0 else { throw AttackError("FAB bounds L-inf or L2 perturbations, not L0") }
        guard steps >= 1, restarts >= 1 else { throw AttackError("FAB needs steps >= 1 and restarts >= 1") }
        guard alphaMax >= 0, alphaMax <= 1, eta >= 1, beta > 0, beta < 1 else {
            throw AttackError("FAB needs alpha_max in [0, 1], eta >= 1 and beta in (0, 1)")
        }
        let targets = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        let method = name + (threat.norm == .l2 ? "-l2" : "")
        guard let targetCount else {
            return FABRun(
                attack: self, method: method, classifier: classifier, images: images.detached(), labels: labels,
                targets: targets, aims: targets, threat: threat)
        }
        guard targets == nil else { throw AttackError("FAB-T picks its own targets; for one target use fab") }
        guard targetCount >= 1 else { throw AttackError("FAB-T needs at least one target class") }
        let inner = ThreatModel(norm: threat.norm, epsilon: threat.epsilon)
        return TargetSweepRun(
            method: method, classifier: classifier, images: images.detached(), labels: labels,
            targetCount: min(targetCount, classifier.classCount - 1), stepsPerTarget: steps * restarts,
            recordsMinimalNorm: true
        ) { images, labels, aims in
            FABRun(
                attack: self, method: method, classifier: classifier, images: images, labels: labels, targets: nil,
                aims: aims, threat: inner)
        }
    }
}

/// FAB's step machine: one linearisation and biased projection per iteration for every image.
final class FABRun: GradientAttackRun {
    let attack: FAB
    let threat: ThreatModel
    /// Per image, the class whose boundary FAB walks to (nil: the nearest one).
    let aims: [Int]?
    /// The smallest adversarial point found per image (the clean image until one is).
    private let best: Tensor
    private var bestNorm: [Float]
    private var scratch: [(kink: Float, weight: Float)] = []

    init(
        attack: FAB, method: String, classifier: Classifier, images: Tensor, labels: [Int], targets: [Int]?,
        aims: [Int]?, threat: ThreatModel
    ) {
        self.attack = attack
        self.threat = threat
        self.aims = aims
        best = images.copy()
        bestNorm = []
        super.init(
            method: method, classifier: classifier, clean: images, labels: labels, targets: targets,
            iterationCount: attack.steps * attack.restarts)
        // An image already on the far side needs no step.
        bestNorm = labels.indices.map { reached(prediction: cleanPredictions[$0], image: $0) ? 0 : .infinity }
        perImageExtras["min_norm"] = bestNorm.map { $0.isFinite ? Double($0) : .nan }
    }

    /// The adversarial condition FAB records on: the aimed class, else any wrong class.
    private func reached(prediction: Int, image: Int) -> Bool {
        if let aims { return prediction == aims[image] }
        return prediction != labels[image]
    }

    override var output: Tensor {
        let out = clean.copy()
        Projection.copyRows(from: best, into: out, where: bestNorm.map { $0 > 0 && $0 <= threat.epsilon })
        return out
    }

    /// `||v||` in the threat model's norm, and its dual norm (L1 for L-inf).
    private func norms(_ v: UnsafePointer<Float>, count: Int) -> (norm: Float, dual: Float) {
        if threat.norm == .l2 {
            var squares: Float = 0
            for i in 0..<count { squares += v[i] * v[i] }
            return (squares.squareRoot(), squares.squareRoot())
        }
        var largest: Float = 0
        var sum: Float = 0
        for i in 0..<count {
            largest = max(largest, abs(v[i]))
            sum += abs(v[i])
        }
        return (largest, sum)
    }

    /// The linearised boundary FAB walks to from each row of `x` (`[n, pixels]`, the iterates of `images`):
    /// `w = grad Z_j - grad Z_y` (`[n, pixels]`) and `f = Z_j - Z_y`, with `j` the aimed class (one backward
    /// pass of `Z_j - Z_y`), else the class of the nearest linearised boundary in the dual norm (every
    /// class's gradient).
    private func hyperplanes(at x: Tensor, images: [Int]) -> (normals: Tensor, offsets: [Float]) {
        if let aims {
            let (normals, offsets, _) = logitLossGradient(at: x) { slot, z, gradient in
                let (label, aim) = (labels[images[slot]], aims[images[slot]])
                for k in 0..<classifier.classCount { gradient[k] = 0 }
                gradient[aim] = 1
                gradient[label] = -1
                return z[aim] - z[label]
            }
            return (normals, offsets)
        }
        let (n, pixels, classCount) = (x.shape[0], x.shape[1], classifier.classCount)
        let (gradients, logits) = logitGradients(
            at: x, classes: [[Int]](repeating: Array(0..<classCount), count: n))
        let normals = Tensor(zeros: x.shape)
        var offsets = [Float](repeating: 0, count: n)
        var w = [Float](repeating: 0, count: pixels)
        for (slot, image) in images.enumerated() {
            let label = labels[image]
            let z = logits.data + slot * classCount
            let base = gradients.data + slot * classCount * pixels
            var chosen = (row: -1, distance: Float.infinity)
            for j in 0..<classCount where j != label {
                for p in 0..<pixels { w[p] = base[j * pixels + p] - base[label * pixels + p] }
                let dual = w.withUnsafeBufferPointer { norms($0.baseAddress!, count: pixels).dual }
                let distance = abs(z[j] - z[label]) / (dual + 1e-12)
                if distance < chosen.distance || chosen.row < 0 { chosen = (j, distance) }
            }
            for p in 0..<pixels {
                normals.data[slot * pixels + p] = base[chosen.row * pixels + p] - base[label * pixels + p]
            }
            offsets[slot] = z[chosen.row] - z[label]
        }
        return (normals, offsets)
    }

    /// Moves each of `images`' iterates to run `restart`'s random start (see `FAB`).
    private func restart(_ restart: Int, images: [Int]) {
        let pixels = clean.shape[1]
        var t = [Float](repeating: 0, count: pixels)
        for image in images {
            let original = clean.data + image * pixels
            var generator = RandomGenerator(
                seed: RandomGenerator.imageSeed(
                    attack.seed &+ UInt64(restart), UnsafeBufferPointer(start: original, count: pixels)))
            for p in 0..<pixels { t[p] = threat.norm == .l2 ? generator.gaussian() : generator.uniform(-1, 1) }
            let size = t.withUnsafeBufferPointer { norms($0.baseAddress!, count: pixels).norm }
            let scale = 0.5 * threat.epsilon / max(size, 1e-12)
            let current = adversarial.data + image * pixels
            for p in 0..<pixels { current[p] = min(max(original[p] + scale * t[p], 0), 1) }
        }
    }

    override func performStep() throws {
        let active = labels.indices.filter { bestNorm[$0] != 0 }
        guard !active.isEmpty else {
            stoppedEarly = true
            return
        }
        if iteration > 0 && iteration % attack.steps == 0 { restart(iteration / attack.steps, images: active) }
        let pixels = clean.shape[1]
        let (normals, offsets) = hyperplanes(at: adversarial.selectingRows(active), images: active)
        var w = [Float](repeating: 0, count: pixels)
        var d1 = [Float](repeating: 0, count: pixels)
        var d2 = [Float](repeating: 0, count: pixels)
        var distanceSum = 0.0
        for (slot, image) in active.enumerated() {
            let f = offsets[slot]
            for p in 0..<pixels { w[p] = normals.data[slot * pixels + p] }
            distanceSum += Double(
                abs(f) / (w.withUnsafeBufferPointer { norms($0.baseAddress!, count: pixels).dual } + 1e-12))
            let current = adversarial.data + image * pixels
            let original = clean.data + image * pixels
            // w . (x_k + d1 - x_k) = -f and w . (x + d2 - x_k) = -f.
            var shift: Float = 0
            for p in 0..<pixels { shift += w[p] * (current[p] - original[p]) }
            w.withUnsafeBufferPointer { normal in
                HyperplaneProjection.step(
                    from: current, normal: normal.baseAddress!, offset: -f, count: pixels, norm: threat.norm,
                    into: &d1, scratch: &scratch)
                HyperplaneProjection.step(
                    from: original, normal: normal.baseAddress!, offset: -f + shift, count: pixels,
                    norm: threat.norm, into: &d2, scratch: &scratch)
            }
            let a1 = max(d1.withUnsafeBufferPointer { norms($0.baseAddress!, count: pixels).norm }, 1e-8)
            let a2 = max(d2.withUnsafeBufferPointer { norms($0.baseAddress!, count: pixels).norm }, 1e-8)
            let alpha = min(max(a1 / (a1 + a2), 0), attack.alphaMax)
            let eta = attack.eta
            for p in 0..<pixels {
                let next = (current[p] + eta * d1[p]) * (1 - alpha) + (original[p] + eta * d2[p]) * alpha
                current[p] = min(max(next, 0), 1)
            }
        }
        loss = distanceSum / Double(active.count)
        let predicted = predict(adversarial.selectingRows(active))
        for (slot, image) in active.enumerated() where reached(prediction: predicted[slot], image: image) {
            let current = adversarial.data + image * pixels
            let original = clean.data + image * pixels
            var difference = [Float](repeating: 0, count: pixels)
            for p in 0..<pixels { difference[p] = current[p] - original[p] }
            let size = difference.withUnsafeBufferPointer { norms($0.baseAddress!, count: pixels).norm }
            if size < bestNorm[image] {
                bestNorm[image] = size
                (best.data + image * pixels).update(from: current, count: pixels)
            }
            for p in 0..<pixels { current[p] = original[p] + attack.beta * difference[p] }
        }
        perImageExtras["min_norm"] = bestNorm.map { $0.isFinite ? Double($0) : .nan }
    }
}
