import TensorCore

/// The one-pixel attack (Su, Vargas & Sakurai 2019, "One Pixel Attack for Fooling Deep Neural
/// Networks"): black-box, L0. Differential evolution over candidates `(row, col, value)` for `pixels`
/// pixels: each generation every member `j` proposes `p_r1 + F (p_r2 - p_r3)` (F = 0.5, no crossover) and
/// keeps it if its fitness is no worse. Fitness is the probability of the true class (untargeted,
/// minimised) or of the target (maximised), read from the model's output probabilities only; an image
/// stops as soon as a candidate fools the model. Queries: one per candidate evaluated (plus one per image
/// for the clean prediction), in `queries` and `perImageExtras["queries"]`.
///
/// - `pixels`: P, pixels changed per image (default 1). `population`: candidates per image (default 100;
///   400 in the paper). `generations`: DE iterations (default 30; 100 in the paper). `seed`: default 0;
///   each image's populations are drawn from the seed and the image's own pixels (as PGD's starts), so an
///   image ends at the same point whether it is attacked alone or in a batch of any size.
/// Threat model: the goal only (the budget is `pixels`; `norm` and `epsilon` are ignored).
/// Input `[batch, pixels]`; at most P pixels of each image change.
public struct OnePixel: BlackBoxAttack {
    public var pixels: Int
    public var population: Int
    public var generations: Int
    public var seed: UInt64

    public var name: String { "onepixel" }
    public var citation: String { "Su, Vargas & Sakurai 2019, One Pixel Attack for Fooling Deep Neural Networks" }

    public init(pixels: Int = 1, population: Int = 100, generations: Int = 30, seed: UInt64 = 0) {
        self.pixels = pixels
        self.population = population
        self.generations = generations
        self.seed = seed
    }

    public func makeRun(oracle: any ProbabilityOracle, images: Tensor, labels: [Int], threat: ThreatModel) throws
        -> AttackRun
    {
        guard pixels >= 1, pixels <= oracle.pixelCount else {
            throw AttackError("onepixel changes 1 to \(oracle.pixelCount) pixels, got \(pixels)")
        }
        guard population >= 4, generations >= 1 else {
            throw AttackError("differential evolution needs a population of at least 4 and one generation")
        }
        let (probabilities, targets) = try validateBlackBox(
            oracle: oracle, images: images, labels: labels, goal: threat.goal)
        return OnePixelRun(
            attack: self, oracle: oracle, images: images.detached(), labels: labels, targets: targets,
            cleanProbabilities: probabilities)
    }
}

/// Differential evolution for every image at once: iteration 0 scores the initial populations, each
/// later iteration is one generation. Images that succeed drop out.
final class OnePixelRun: BlackBoxAttackRun {
    let attack: OnePixel
    let side: (height: Int, width: Int)
    /// One generator per image, seeded by the seed and the image's pixels (`Projection.imageGenerators`):
    /// an image's populations do not depend on the batch it is attacked in.
    private var generators: [RandomGenerator]
    /// [image][member] candidate genes: pixels * (row, col, value).
    private var members: [[[Float]]]
    private var fitness: [[Float]]
    /// The model's prediction for each member (from the query that scored it).
    private var memberPredictions: [[Int]]
    private var done: [Bool]
    private var perImageQueries: [Double]

    init(
        attack: OnePixel, oracle: any ProbabilityOracle, images: Tensor, labels: [Int], targets: [Int]?,
        cleanProbabilities: [Float]
    ) {
        self.attack = attack
        side = oracle.imageSize
        generators = Projection.imageGenerators(attack.seed, images: images)
        members = []
        fitness = []
        memberPredictions = []
        done = []
        perImageQueries = [Double](repeating: 1, count: labels.count)
        super.init(
            method: "onepixel", oracle: oracle, clean: images, labels: labels, targets: targets,
            cleanProbabilities: cleanProbabilities, iterationCount: attack.generations + 1)
        done = labels.indices.map { isSuccess(prediction: currentPredictions[$0], image: $0) }
        members = labels.indices.map { image in (0..<attack.population).map { _ in randomCandidate(image: image) } }
        fitness = labels.indices.map { _ in [Float](repeating: .infinity, count: attack.population) }
        memberPredictions = labels.indices.map { [Int](repeating: currentPredictions[$0], count: attack.population) }
        perImageExtras["queries"] = perImageQueries
    }

    /// A random candidate for image `image`, from its own generator.
    private func randomCandidate(image: Int) -> [Float] {
        (0..<attack.pixels).flatMap { _ in
            [
                Float(generators[image].index(below: side.height)),
                Float(generators[image].index(below: side.width)), generators[image].uniform(),
            ]
        }
    }

    private func clip(_ genes: [Float]) -> [Float] {
        var out = genes
        for p in 0..<attack.pixels {
            out[3 * p] = min(max(out[3 * p].rounded(), 0), Float(side.height - 1))
            out[3 * p + 1] = min(max(out[3 * p + 1].rounded(), 0), Float(side.width - 1))
            out[3 * p + 2] = min(max(out[3 * p + 2], 0), 1)
        }
        return out
    }

    /// Writes image `index` with `genes` applied into `buffer` at `offset`.
    private func render(_ genes: [Float], image index: Int, into buffer: inout [Float], at offset: Int) {
        let pixelCount = oracle.pixelCount
        for i in 0..<pixelCount { buffer[offset + i] = clean.data[index * pixelCount + i] }
        for p in 0..<attack.pixels {
            buffer[offset + Int(genes[3 * p]) * side.width + Int(genes[3 * p + 1])] = genes[3 * p + 2]
        }
    }

    override func performStep() throws {
        let active = labels.indices.filter { !done[$0] }
        guard !active.isEmpty else {
            stoppedEarly = true
            return
        }
        let size = attack.population
        var proposals: [[[Float]]] = []
        for image in active {
            if iteration == 0 {
                proposals.append(members[image])
                continue
            }
            proposals.append(
                (0..<size).map { j in
                    var picks: [Int] = []
                    while picks.count < 3 {
                        let r = generators[image].index(below: size)
                        if r != j && !picks.contains(r) { picks.append(r) }
                    }
                    let (a, b, c) = (members[image][picks[0]], members[image][picks[1]], members[image][picks[2]])
                    return clip((0..<a.count).map { a[$0] + 0.5 * (b[$0] - c[$0]) })
                })
        }
        let pixelCount = oracle.pixelCount
        var batch = [Float](repeating: 0, count: active.count * size * pixelCount)
        for (slot, image) in active.enumerated() {
            for j in 0..<size {
                render(proposals[slot][j], image: image, into: &batch, at: (slot * size + j) * pixelCount)
            }
        }
        let classes = oracle.classCount
        let probabilities = oracle.probabilities(batch, count: active.count * size)
        queries = oracle.queries
        var lossSum = 0.0
        for (slot, image) in active.enumerated() {
            perImageQueries[image] += Double(size)
            for j in 0..<size {
                let row = (slot * size + j) * classes
                let score = targets.map { 1 - probabilities[row + $0[image]] } ?? probabilities[row + labels[image]]
                let predicted = rowArgmax(Array(probabilities[row..<(row + classes)]), classes: classes)[0]
                let fools = !done[image] && isSuccess(prediction: predicted, image: image)
                if score <= fitness[image][j] || fools {
                    fitness[image][j] = fools ? -1 : score  // -1 keeps the fooling candidate as the best
                    members[image][j] = proposals[slot][j]
                    memberPredictions[image][j] = predicted
                }
                if fools { done[image] = true }
            }
            lossSum += Double(fitness[image].min() ?? 0)
        }
        loss = lossSum / Double(active.count)
        // The output: each image with its best candidate applied.
        let out = clean.copy()
        var buffer = [Float](repeating: 0, count: pixelCount)
        for image in labels.indices where fitness[image].contains(where: { $0.isFinite }) {
            let best = fitness[image].indices.min { fitness[image][$0] < fitness[image][$1] }!
            render(members[image][best], image: image, into: &buffer, at: 0)
            (out.data + image * pixelCount).update(from: buffer, count: pixelCount)
            currentPredictions[image] = memberPredictions[image][best]
        }
        adversarial = out
        perImageExtras["queries"] = perImageQueries
        if done.allSatisfy({ $0 }) { stoppedEarly = true }
    }

}
