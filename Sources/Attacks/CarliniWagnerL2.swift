import Foundation
import Models
import NeuralNet
import TensorCore

/// The Carlini-Wagner L2 attack (Carlini & Wagner 2017, "Towards Evaluating the Robustness of Neural
/// Networks").
///
/// Change of variable `x' = 1/2 (tanh(w) + 1)`, so `x'` stays in [0, 1]; minimise
/// `||x' - x||_2^2 + c * f(x')` with Adam over `w`, where for a target `t`
/// `f(x') = max(max_{i != t} Z(x')_i - Z(x')_t, -kappa)` and, untargeted,
/// `f(x') = max(Z(x')_y - max_{i != y} Z(x')_i, -kappa)`, with `Z` the logits (MATH.md: the constraint is
/// the target `t`, not `y`). Each image binary-searches its own `c` over `searchSteps` rounds of `steps`
/// Adam steps (w restarts from x each round; a success lowers the upper bound, a failure raises the
/// lower one, or multiplies c by 10 while no upper bound is known) and keeps its smallest-L2 successful
/// iterate, where a success is the paper's: the goal class wins by at least kappa in the logits
/// (misclassified, or classified as the target, by that margin; Carlini & Wagner's `compare`), so a larger
/// kappa keeps more confident, larger perturbations; images that never succeed are returned unchanged.
/// `perImageExtras["c"]` is the c of the kept iterate (NaN where none).
///
/// - `confidence`: kappa (default 0). `initialC`: default 1. `steps`: Adam steps per round (default 100).
/// - `learningRate`: Adam's (default 0.01). `searchSteps`: rounds of the binary search (default 5; 1 is
///   plain CW with a fixed c, as torchattacks).
/// Threat model: the goal only (CW minimises L2 instead of bounding it; `epsilon` is ignored).
/// Input `[batch, pixels]`; one gradient per image per Adam step. `x` is mapped to `w = atanh(2x - 1)` with
/// `2x - 1` clamped to ±(1 - 1e-6), so pixels at exactly 0 or 1 barely move (as in torchattacks).
///
/// `torchattacksCompatible` reproduces torchattacks 3.5.1's `CW` (for comparing figures, not MATH.md's f):
/// its `other = max((1 - onehot) * Z)` and `real = max(onehot * Z)` both see a 0 from the masked-out
/// entries, so `f` uses `max(0, max_{i != y} Z_i)` and `max(0, Z_y)` (an image whose logits are all
/// negative stops being pushed before it is fooled), and every `steps / 10` steps the whole batch stops
/// when its cost rose. It needs `searchSteps == 1` (torchattacks searches no c).
public struct CarliniWagnerL2: Attack {
    public var confidence: Float
    public var initialC: Float
    public var steps: Int
    public var learningRate: Float
    public var searchSteps: Int
    /// torchattacks 3.5.1's margin and early abort instead of MATH.md's f (see above).
    public var torchattacksCompatible: Bool

    public var name: String { "cw" }
    public var citation: String { "Carlini & Wagner 2017, Towards Evaluating the Robustness of Neural Networks" }

    public init(
        confidence: Float = 0, initialC: Float = 1, steps: Int = 100, learningRate: Float = 0.01, searchSteps: Int = 5,
        torchattacksCompatible: Bool = false
    ) {
        self.torchattacksCompatible = torchattacksCompatible
        self.confidence = confidence
        self.initialC = initialC
        self.steps = steps
        self.learningRate = learningRate
        self.searchSteps = searchSteps
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard steps >= 1, searchSteps >= 1 else { throw AttackError("CW needs at least one step and one search round") }
        guard !torchattacksCompatible || searchSteps == 1 else {
            throw AttackError("torchattacks' CW searches no c: use one search round (--search-steps 1)")
        }
        guard initialC > 0, initialC.isFinite, learningRate > 0, confidence >= 0 else {
            throw AttackError("CW needs c > 0, a positive learning rate and kappa >= 0")
        }
        let targets = try validate(
            classifier: classifier, images: images, labels: labels, threat: threat, checkEpsilon: false)
        return CarliniWagnerRun(
            attack: self, classifier: classifier, images: images.detached(), labels: labels, targets: targets)
    }
}

/// CW's step machine: one Adam step per iteration; `adversarial` is the current `x'`, `output` the
/// smallest successful iterate per image.
final class CarliniWagnerRun: GradientAttackRun {
    let attack: CarliniWagnerL2
    private var w: Tensor
    private var optimizer: Adam
    private let initialW: Tensor
    private var c: [Float]
    private var lower: [Float]
    private var upper: [Float]
    private var roundSuccess: [Bool]
    private var bestL2: [Float]
    private var bestC: [Double]
    private let best: Tensor
    /// The batch cost at the last early-abort check (torchattacks-compatible mode).
    private var previousCost: Float = 1e10

    init(attack: CarliniWagnerL2, classifier: Classifier, images: Tensor, labels: [Int], targets: [Int]?) {
        self.attack = attack
        let n = labels.count
        initialW = Tensor(
            shape: images.shape,
            scalars: images.scalars.map { Foundation.atanh(min(max($0 * 2 - 1, -1 + 1e-6), 1 - 1e-6)) })
        w = initialW.copy().requiringGrad()
        optimizer = Adam(parameters: [("w", w)], learningRate: attack.learningRate)
        c = [Float](repeating: attack.initialC, count: n)
        lower = [Float](repeating: 0, count: n)
        upper = [Float](repeating: 1e10, count: n)
        roundSuccess = [Bool](repeating: false, count: n)
        bestL2 = [Float](repeating: .infinity, count: n)
        bestC = [Double](repeating: .nan, count: n)
        best = images.copy()
        super.init(
            method: "cw", classifier: classifier, clean: images, labels: labels, targets: targets,
            iterationCount: attack.steps * attack.searchSteps)
        perImageExtras["c"] = bestC
    }

    /// The current c of each image.
    public var constants: [Float] { c }

    override var output: Tensor { best }

    override func performStep() throws {
        let n = labels.count
        let goalLabels = targets ?? labels
        let kappa = attack.confidence
        let classes = classifier.classCount
        let weights = Tensor(shape: [n], scalars: c)
        // x' = (tanh(w) + 1) / 2 and ||x' - x||^2 by hand (one pass over the pixels); autograd only for the
        // small margin term on the logits, whose input gradient is then chained through tanh.
        let pixels = clean.shape[1]
        let x = Projection.uninitialized(like: clean)
        var l2 = [Float](repeating: 0, count: n)
        let (xp, cp) = (x.data, clean.data)
        l2.withUnsafeMutableBufferPointer { squares in
            guard let base = squares.baseAddress else { return }
            let buffers = StepBuffers(w: w.data, x: xp, clean: cp, squares: base)
            // Rows split over the compute threads: each row's sum is the same whichever thread takes it.
            ParallelSplit.ranges(count: n, minimumPerThread: max(1, 32_768 / max(pixels, 1))) { rows in
                for row in rows { buffers.squares[row] = buffers.tanhRow(row, pixels: pixels) }
            }
        }
        adversarial = x
        let result = InputGradient.compute(classifier, at: x) { logits in
            let oneHot = Tensor.oneHot(goalLabels, classCount: classes)
            let goal: Tensor
            let other: Tensor
            if attack.torchattacksCompatible {
                goal = (logits * oneHot).max(axis: 1)
                other = (logits * (1 - oneHot)).max(axis: 1)
            } else {
                goal = logits.gather(indices: goalLabels)
                other = (logits - oneHot.scaled(by: 1e9)).max(axis: 1)
            }
            let margin = targets == nil ? goal - other : other - goal
            return (weights * margin.clamped(min: -kappa)).sum()
        }
        let logits = result.logits
        let total = l2.reduce(0, +) + result.value
        // d/dw = (d(c f)/dx' + 2 (x' - x)) * dx'/dw, with dx'/dw = (1 - tanh^2) / 2 = 2 x' (1 - x').
        let gradient = Projection.uninitialized(like: w)
        let chain = Projection.StepBuffers(out: gradient.data, x: xp, gradient: result.gradient.data, clean: cp)
        ParallelSplit.ranges(count: w.count) { range in
            let (gp, fp, xp, cp) = (chain.out, chain.gradient, chain.x, chain.clean)
            for i in range { gp[i] = (fp[i] + 2 * (xp[i] - cp[i])) * 2 * xp[i] * (1 - xp[i]) }
        }
        w.grad = gradient
        optimizer.step()
        gradientEvaluations += ExpectationOverTransformation.evaluations(n)
        loss = Double(total) / Double(n)

        let predicted = logits.argmax()
        for i in 0..<n where isSuccess(prediction: predicted[i], image: i) && clearsConfidence(logits, row: i) {
            roundSuccess[i] = true
            if l2[i] < bestL2[i] {
                bestL2[i] = l2[i]
                bestC[i] = Double(c[i])
                let pixels = clean.shape[1]
                (best.data + i * pixels).update(from: adversarial.data + i * pixels, count: pixels)
            }
        }
        perImageExtras["c"] = bestC
        if attack.torchattacksCompatible, iteration % max(attack.steps / 10, 1) == 0 {
            if total > previousCost { stoppedEarly = true }
            previousCost = total
        }
        if (iteration + 1) % attack.steps == 0 { nextSearchRound() }
    }

    /// Whether row `row` of `logits` reaches the goal by the margin kappa (Carlini & Wagner's reference
    /// `compare`): untargeted, the largest other logit exceeds the label's by at least kappa; targeted, the
    /// target's exceeds every other by at least kappa. Always true for kappa 0 (the prediction decides) and
    /// in torchattacks-compatible mode (torchattacks keeps any misclassified iterate).
    private func clearsConfidence(_ logits: Tensor, row: Int) -> Bool {
        let kappa = attack.confidence
        guard kappa > 0, !attack.torchattacksCompatible else { return true }
        let classes = logits.shape[1]
        let z = logits.data + row * classes
        let goal = targets?[row] ?? labels[row]
        var other = -Float.infinity
        for k in 0..<classes where k != goal { other = max(other, z[k]) }
        return (targets == nil ? other - z[goal] : z[goal] - other) >= kappa
    }

    /// Binary search on c per image, then restart w from x with a fresh Adam.
    private func nextSearchRound() {
        for i in c.indices {
            if roundSuccess[i] {
                upper[i] = min(upper[i], c[i])
                c[i] = (lower[i] + upper[i]) / 2
            } else {
                lower[i] = max(lower[i], c[i])
                c[i] = upper[i] < 1e9 ? (lower[i] + upper[i]) / 2 : c[i] * 10
            }
            roundSuccess[i] = false
        }
        w = initialW.copy().requiringGrad()
        optimizer = Adam(parameters: [("w", w)], learningRate: attack.learningRate)
    }
}

extension CarliniWagnerRun {
    /// The change of variables' buffers, handed to the threads that fill disjoint rows.
    fileprivate struct StepBuffers: @unchecked Sendable {
        let w: UnsafeMutablePointer<Float>
        let x: UnsafeMutablePointer<Float>
        let clean: UnsafeMutablePointer<Float>
        let squares: UnsafeMutablePointer<Float>

        /// Writes row `row` of x' = (tanh(w) + 1) / 2 = 1 / (1 + e^(-2w)), 16 pixels at a time (the scalar libm
        /// loop took a fifth of a CW run), and returns its ||x' - x||^2.
        func tanhRow(_ row: Int, pixels: Int) -> Float {
            var sums = SIMD16<Float>()
            var i = row * pixels
            let end = (row + 1) * pixels
            while i + 16 <= end {
                let wv = UnsafeRawPointer(w + i).loadUnaligned(as: SIMD16<Float>.self)
                let value = 1 / (1 + VectorMath.exp(-2 * wv))
                UnsafeMutableRawPointer(x + i).storeBytes(of: value, as: SIMD16<Float>.self)
                let d = value - UnsafeRawPointer(clean + i).loadUnaligned(as: SIMD16<Float>.self)
                sums += d * d
                i += 16
            }
            var sum = sums.sum()
            while i < end {
                let value = 1 / (1 + Foundation.exp(-2 * w[i]))
                x[i] = value
                let d = value - clean[i]
                sum += d * d
                i += 1
            }
            return sum
        }
    }
}
