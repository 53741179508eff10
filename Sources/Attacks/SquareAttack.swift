import Foundation
import TensorCore

/// The Square Attack (Andriushchenko, Croce, Flammarion & Hein 2020, "Square Attack: a query-efficient
/// black-box adversarial attack via random search"), L-inf and L2: black-box, through a
/// `ProbabilityOracle` only. A random search: each iteration changes the perturbation inside random
/// squares and keeps the candidate if it lowers the margin loss on log-probabilities,
/// `log p_y - max_{k != y} log p_k` (targeted: `max_{k != t} log p_k - log p_t`); an image is fooled, and
/// left alone, once its margin is negative. `p`, the fraction of pixels in a square, is halved on the
/// schedule of the paper (iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 of 10 000, rescaled
/// to the budget).
///
/// - L-inf (the paper's Algorithm 2): start from vertical stripes `x + delta`, `delta` = ±eps per column
///   (random), clipped to [0, 1]. Each iteration, for every image not yet fooled, a random `s x s` square
///   of the perturbation is set to a random ±eps (redrawn if it would not change the image), with
///   `s = max(1, round(sqrt(p * pixels)))`.
/// - L2 (the paper's Algorithm 3, as AutoAttack's `square.py` runs it; `SquareL2Run`): start from a grid
///   of pseudo-Gaussian blocks with random signs, rescaled to `||delta||_2 = eps`, clipped to [0, 1]. Each
///   iteration moves the perturbation's mass inside two random `s x s` windows into the first: a fresh
///   pseudo-Gaussian block plus the window's old direction, scaled so that `||delta||_2 = eps` again, with
///   `s = max(3, round(sqrt(p * pixels)))` made odd and at most the image side.
///
/// - `queries`: the budget per image, counting the clean query and the initialisation (default 1000;
///   5000 in torchattacks). `pInit`: the initial fraction of pixels in the square (default 0.8, as
///   torchattacks). `seed`: default 0; each image's squares are drawn from the seed and the image's own
///   pixels (as PGD's starts), so an image ends at the same point whether it is attacked alone or in a
///   batch of any size.
/// Threat model: `.linf` with eps in (0, 1], or `.l2` with eps > 0; any goal. Input `[batch, pixels]` of
/// square images (else the image is treated as one row). Queries are counted in `queries` and
/// `perImageExtras["queries"]`.
public struct SquareAttack: BlackBoxAttack {
    public var queries: Int
    public var pInit: Float
    public var seed: UInt64

    public var name: String { "square" }
    public var citation: String {
        "Andriushchenko, Croce, Flammarion & Hein 2020, Square Attack: a query-efficient black-box adversarial attack via random search"
    }

    public init(queries: Int = 1000, pInit: Float = 0.8, seed: UInt64 = 0) {
        self.queries = queries
        self.pInit = pInit
        self.seed = seed
    }

    /// The fraction of pixels in the square at iteration `iteration` of `iterations` (torchattacks'
    /// `p_selection`).
    public static func fraction(pInit: Float, iteration: Int, iterations: Int) -> Float {
        let it = Int(Double(iteration) / Double(max(iterations, 1)) * 10_000)
        let bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000]
        let halvings = bounds.filter { it > $0 }.count
        return pInit / Float(1 << halvings)
    }

    public func makeRun(oracle: any ProbabilityOracle, images: Tensor, labels: [Int], threat: ThreatModel) throws
        -> AttackRun
    {
        switch threat.norm {
        case .linf:
            guard threat.epsilon > 0, threat.epsilon <= 1 else {
                throw AttackError("L-inf radius eps must be in (0, 1], got \(threat.epsilon)")
            }
        case .l2:
            guard threat.epsilon > 0, threat.epsilon.isFinite else {
                throw AttackError("L2 radius eps must be > 0, got \(threat.epsilon)")
            }
        case .l0:
            throw AttackError("square bounds L-inf or L2 perturbations; use --norm inf or 2")
        }
        guard queries >= 3 else { throw AttackError("square needs a budget of at least 3 queries per image") }
        guard pInit > 0, pInit <= 1 else { throw AttackError("square's p must be in (0, 1], got \(pInit)") }
        let (probabilities, targets) = try validateBlackBox(
            oracle: oracle, images: images, labels: labels, goal: threat.goal)
        let run = threat.norm == .l2 ? SquareL2Run.self : SquareRun.self
        return run.init(
            method: threat.norm == .l2 ? "square-l2" : "square", attack: self, oracle: oracle,
            images: images.detached(), labels: labels, targets: targets, epsilon: threat.epsilon,
            cleanProbabilities: probabilities)
    }
}

/// What the L-inf and L2 Square runs share: the margin loss, the random search's bookkeeping and its step.
/// Iteration 0 queries the initialisation of every image, each later iteration one candidate per image not
/// yet fooled (one query each); a candidate replaces the image's best only if it lowers the margin, and the
/// run stops once every margin is negative. Subclasses say only what the candidates are (`candidates`).
class SquareSearchRun: BlackBoxAttackRun {
    let attack: SquareAttack
    let epsilon: Float
    let side: (height: Int, width: Int)
    /// One generator per image, seeded by the seed and the image's pixels (`Projection.imageGenerators`):
    /// an image's squares do not depend on the batch it is attacked in.
    var generators: [RandomGenerator]
    /// The margin loss of each image's best candidate so far (negative: fooled).
    private(set) var margins: [Float]
    private var perImageQueries: [Double]

    required init(
        method: String, attack: SquareAttack, oracle: any ProbabilityOracle, images: Tensor, labels: [Int],
        targets: [Int]?, epsilon: Float, cleanProbabilities: [Float]
    ) {
        self.attack = attack
        self.epsilon = epsilon
        side = oracle.imageSize
        generators = Projection.imageGenerators(attack.seed, images: images)
        margins = []
        perImageQueries = [Double](repeating: 1, count: labels.count)
        super.init(
            method: method, oracle: oracle, clean: images, labels: labels, targets: targets,
            cleanProbabilities: cleanProbabilities, iterationCount: attack.queries - 1)
        margins = labels.indices.map { margin(cleanProbabilities, row: $0, image: $0) }
        perImageExtras["queries"] = perImageQueries
    }

    /// The fraction of pixels in a square at this iteration (iteration 0 is the initialisation).
    var fraction: Float {
        SquareAttack.fraction(pInit: attack.pInit, iteration: iteration - 1, iterations: iterationCount - 1)
    }

    /// The candidate images, `active.count * pixels`, for the images `active` (in that order): the
    /// initialisation at iteration 0, then one changed copy of each image's best.
    func candidates(for active: [Int]) -> [Float] {
        fatalError("SquareSearchRun.candidates(for:) is abstract")
    }

    /// The margin loss of row `row` of `probabilities` for image `image` (negative: fooled).
    private func margin(_ probabilities: [Float], row: Int, image: Int) -> Float {
        let classes = oracle.classCount
        let goal = targets?[image] ?? labels[image]
        var other = -Float.infinity
        for k in 0..<classes where k != goal { other = max(other, log(probabilities[row * classes + k] + 1e-30)) }
        let own = log(probabilities[row * classes + goal] + 1e-30)
        return targets == nil ? own - other : other - own
    }

    override func performStep() throws {
        let active = labels.indices.filter { margins[$0] >= 0 }
        guard !active.isEmpty else {
            stoppedEarly = true
            return
        }
        let pixels = oracle.pixelCount
        let batch = candidates(for: active)
        let best = adversarial.data
        let probabilities = oracle.probabilities(batch, count: active.count)
        queries = oracle.queries
        let predicted = rowArgmax(probabilities, classes: oracle.classCount)
        var lossSum = 0.0
        for (slot, image) in active.enumerated() {
            perImageQueries[image] += 1
            let candidate = margin(probabilities, row: slot, image: image)
            if candidate < margins[image] || iteration == 0 {
                margins[image] = candidate
                for p in 0..<pixels { best[image * pixels + p] = batch[slot * pixels + p] }
                currentPredictions[image] = predicted[slot]
            }
            lossSum += Double(margins[image])
        }
        loss = lossSum / Double(active.count)
        perImageExtras["queries"] = perImageQueries
        if margins.allSatisfy({ $0 < 0 }) { stoppedEarly = true }
    }
}

/// The L-inf Square Attack's candidates: vertical stripes of ±eps at iteration 0, then one square of a
/// random ±eps per image.
final class SquareRun: SquareSearchRun {
    override func candidates(for active: [Int]) -> [Float] {
        let pixels = oracle.pixelCount
        var batch = [Float](repeating: 0, count: active.count * pixels)
        let x = clean.data
        let best = adversarial.data
        if iteration == 0 {
            for (slot, image) in active.enumerated() {
                let signs = (0..<side.width).map { _ in generators[image].uniform() < 0.5 ? -epsilon : epsilon }
                for p in 0..<pixels {
                    batch[slot * pixels + p] = min(max(x[image * pixels + p] + signs[p % side.width], 0), 1)
                }
            }
            return batch
        }
        let s = min(max(Int((fraction * Float(pixels)).squareRoot().rounded()), 1), min(side.height, side.width))
        for (slot, image) in active.enumerated() {
            let base = image * pixels
            for p in 0..<pixels { batch[slot * pixels + p] = best[base + p] }
            let top = generators[image].index(below: side.height - s + 1)
            let left = generators[image].index(below: side.width - s + 1)
            var sign: Float = generators[image].uniform() < 0.5 ? -epsilon : epsilon
            // Redraw (flip) the square's sign if it would leave every pixel of the window unchanged.
            for _ in 0..<2 {
                var changes = false
                for r in top..<(top + s) {
                    for c in left..<(left + s) {
                        let i = base + r * side.width + c
                        if abs(min(max(x[i] + sign, 0), 1) - best[i]) >= 1e-7 { changes = true }
                    }
                }
                if changes { break }
                sign = -sign
            }
            for r in top..<(top + s) {
                for c in left..<(left + s) {
                    let i = r * side.width + c
                    batch[slot * pixels + i] = min(max(x[base + i] + sign, 0), 1)
                }
            }
        }
        return batch
    }
}
