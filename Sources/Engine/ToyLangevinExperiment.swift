import Foundation
import Models
import NeuralNet
import TensorCore

/// Langevin dynamics in two dimensions, where every particle can be seen (MATH.md section 7).
///
/// Data: a mixture of isotropic Gaussians (8 on a ring of radius 4, or 3 blobs), standard deviation
/// `spread`. Score: a small MLP `(x, y, log sigma) -> 64 -> 64 -> 2` (SiLU) trained at start-up by
/// denoising score matching over the noise ladder, `min E ||sigma s(x + sigma n, sigma) + n||^2`
/// (Vincent 2011; Song & Ermon 2019), or with `analytic: true` the exact score of the mixture
/// convolved with `N(0, sigma^2 I)` (components of variance `spread^2 + sigma^2`).
/// Particles start from `N(0, 3^2 I)` and move by `LangevinSampler` steps: annealed over a geometric
/// ladder `sigmaMax ... sigmaMin`, or plain at `sigmaMin` only.
///
/// StepReport metrics: `noise_level`, `step_size`, `score_norm`, `mean_distance` (between the
/// particles' mean and the mixture's), `covariance_distance` (Frobenius norm of the difference of the
/// covariances). Snapshot: `points` (particles with label 0, data samples with label 1) and `figures`.
public final class ToyLangevinExperiment: VisualExperiment {
    public enum Mixture: String, CaseIterable, Sendable {
        /// 8 Gaussians evenly spaced on a circle of radius 4.
        case ring
        /// 3 Gaussians at the corners of a triangle.
        case blobs

        public var centers: [(Double, Double)] {
            switch self {
            case .ring:
                return (0..<8).map { k in
                    let angle = 2 * Double.pi * Double(k) / 8
                    return (4 * cos(angle), 4 * sin(angle))
                }
            case .blobs: return [(-3, -2), (3, -2), (0, 3)]
            }
        }
    }

    public let mixture: Mixture
    public let centers: [(Double, Double)]
    public let spread: Double
    public let analytic: Bool
    public let annealed: Bool
    /// Noise levels visited, descending.
    public let sigmas: [Double]
    public let sampler: LangevinSampler
    /// Data samples shown beside the particles `[dataCount, 2]`.
    public let data: [Double]
    /// The mixture's mean and covariance (xx, xy, yy).
    public let targetMean: (Double, Double)
    public let targetCovariance: (Double, Double, Double)
    /// Denoising score-matching loss at the end of training, and the training time (0 for analytic).
    public private(set) var trainingLoss = 0.0
    public private(set) var trainingSeconds = 0.0
    /// The learned score network (nil with `analytic`).
    public let network: Sequential?
    private let allSigmas: [Double]

    /// - Parameters:
    ///   - particles: number of particles.
    ///   - levels: noise levels of the geometric ladder from `sigmaMax` to `sigmaMin`.
    ///   - stepsPerLevel: Langevin steps at each level (plain Langevin: `levels * stepsPerLevel` steps
    ///     at `sigmaMin`).
    ///   - epsilon: base step size; `alpha_i = epsilon sigma_i^2 / sigmaMin^2`.
    ///   - trainingSteps: Adam steps of denoising score matching (batch 256) for the learned score.
    public init(
        mixture: Mixture = .ring, spread: Double = 0.3, particles: Int = 500, dataCount: Int = 500,
        levels: Int = 10, sigmaMax: Double = 4, sigmaMin: Double = 0.05, stepsPerLevel: Int = 100,
        epsilon: Double = 2e-3, annealed: Bool = true, analytic: Bool = false, trainingSteps: Int = 1500,
        seed: UInt64 = 0
    ) {
        precondition(particles >= 2 && levels >= 1 && stepsPerLevel >= 1 && sigmaMin > 0 && sigmaMax >= sigmaMin)
        self.mixture = mixture
        let centers = mixture.centers
        self.centers = centers
        self.spread = spread
        self.analytic = analytic
        self.annealed = annealed
        let ladder =
            levels == 1
            ? [sigmaMin]
            : (0..<levels).map { sigmaMax * pow(sigmaMin / sigmaMax, Double($0) / Double(levels - 1)) }
        allSigmas = ladder
        sigmas = annealed ? ladder : [sigmaMin]
        var generator = RandomGenerator(seed: seed)
        data = ToyLangevinExperiment.draw(dataCount, centers: centers, spread: spread, generator: &generator)
        let k = Double(centers.count)
        let mx = centers.reduce(0) { $0 + $1.0 } / k
        let my = centers.reduce(0) { $0 + $1.1 } / k
        targetMean = (mx, my)
        let s2 = spread * spread
        targetCovariance = (
            s2 + centers.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) } / k,
            centers.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / k,
            s2 + centers.reduce(0) { $0 + ($1.1 - my) * ($1.1 - my) } / k
        )
        let score: (Tensor, Int) -> Tensor
        if analytic {
            network = nil
            let ladderCopy = ladder
            score = { x, level in
                ToyLangevinExperiment.analyticScore(
                    x, centers: centers, variance: s2 + ladderCopy[level] * ladderCopy[level])
            }
        } else {
            let net = Networks.perceptron([3, 64, 64, 2], activation: { SiLU() }, generator: &generator)
            network = net
            let start = Date()
            trainingLoss = ToyLangevinExperiment.train(
                net, sigmas: ladder, centers: centers, spread: spread, steps: trainingSteps, generator: &generator)
            trainingSeconds = Date().timeIntervalSince(start)
            let ladderCopy = ladder
            score = { x, level in ToyLangevinExperiment.learnedScore(net, x, sigma: ladderCopy[level]) }
        }
        let start = Tensor.randomNormal([particles, 2], standardDeviation: 3, generator: &generator)
        let visited: [(sigma: Float, level: Int)] =
            annealed ? ladder.enumerated().map { (Float($1), $0) } : [(Float(sigmaMin), ladder.count - 1)]
        sampler = LangevinSampler(
            start: start, ladder: visited, stepsPerLevel: annealed ? stepsPerLevel : stepsPerLevel * levels,
            epsilon: Float(epsilon), seed: seed &+ 1, score: score)
    }

    /// `count` mixture samples, flattened `[count, 2]`.
    static func draw(_ count: Int, centers: [(Double, Double)], spread: Double, generator: inout RandomGenerator)
        -> [Double]
    {
        var out: [Double] = []
        out.reserveCapacity(2 * count)
        for _ in 0..<count {
            let c = centers[generator.index(below: centers.count)]
            out.append(c.0 + spread * Double(generator.gaussian()))
            out.append(c.1 + spread * Double(generator.gaussian()))
        }
        return out
    }

    /// The score of an equal-weight mixture of `N(c_k, variance I)`:
    /// `sum_k w_k(x) (c_k - x) / variance`, `w = softmax_k(-||x - c_k||^2 / (2 variance))`.
    public static func analyticScore(_ x: Tensor, centers: [(Double, Double)], variance: Double) -> Tensor {
        let n = x.shape[0]
        let out = Tensor(zeros: [n, 2])
        var logits = [Double](repeating: 0, count: centers.count)
        for i in 0..<n {
            let px = Double(x.data[2 * i])
            let py = Double(x.data[2 * i + 1])
            var largest = -Double.infinity
            for (k, c) in centers.enumerated() {
                let dx = px - c.0
                let dy = py - c.1
                logits[k] = -(dx * dx + dy * dy) / (2 * variance)
                largest = max(largest, logits[k])
            }
            var total = 0.0
            var sx = 0.0
            var sy = 0.0
            for (k, c) in centers.enumerated() {
                let w = exp(logits[k] - largest)
                total += w
                sx += w * (c.0 - px)
                sy += w * (c.1 - py)
            }
            out.data[2 * i] = Float(sx / total / variance)
            out.data[2 * i + 1] = Float(sy / total / variance)
        }
        return out
    }

    /// `s(x, sigma) = net([x, log sigma]) / sigma`.
    static func learnedScore(_ net: Sequential, _ x: Tensor, sigma: Double) -> Tensor {
        noGrad {
            let n = x.shape[0]
            let input = Tensor(zeros: [n, 3])
            for i in 0..<n {
                input.data[3 * i] = x.data[2 * i]
                input.data[3 * i + 1] = x.data[2 * i + 1]
                input.data[3 * i + 2] = Float(log(sigma))
            }
            return net(input) * Float(1 / sigma)
        }
    }

    /// Denoising score matching over the ladder; returns the mean loss of the last 100 steps.
    static func train(
        _ net: Sequential, sigmas: [Double], centers: [(Double, Double)], spread: Double, steps: Int,
        generator: inout RandomGenerator
    ) -> Double {
        let optimizer = Adam(parameters: net.namedParameters, learningRate: 3e-3)
        let batch = 256
        var recent: [Double] = []
        for step in 0..<steps {
            if step == steps * 2 / 3 { optimizer.learningRate = 1e-3 }
            let points = draw(batch, centers: centers, spread: spread, generator: &generator)
            let input = Tensor(zeros: [batch, 3])
            let noise = Tensor.randomNormal([batch, 2], generator: &generator)
            for i in 0..<batch {
                let sigma = sigmas[generator.index(below: sigmas.count)]
                input.data[3 * i] = Float(points[2 * i] + sigma * Double(noise.data[2 * i]))
                input.data[3 * i + 1] = Float(points[2 * i + 1] + sigma * Double(noise.data[2 * i + 1]))
                input.data[3 * i + 2] = Float(log(sigma))
            }
            optimizer.zeroGradients()
            // sigma s(x~) = net output should equal -n.
            let loss = (net(input) + noise).squared().sum(axis: 1).mean()
            loss.backward()
            optimizer.step()
            recent.append(Double(loss.item))
            if recent.count > 100 { recent.removeFirst() }
        }
        optimizer.zeroGradients()
        return recent.reduce(0, +) / Double(max(recent.count, 1))
    }

    public var isFinished: Bool { sampler.isFinished }
    public var progress: (done: Int, total: Int) { sampler.progress }

    /// The particles' mean and covariance (xx, xy, yy).
    public var particleMoments: (mean: (Double, Double), covariance: (Double, Double, Double)) {
        let x = sampler.x
        let n = x.shape[0]
        var mx = 0.0
        var my = 0.0
        for i in 0..<n {
            mx += Double(x.data[2 * i])
            my += Double(x.data[2 * i + 1])
        }
        mx /= Double(n)
        my /= Double(n)
        var xx = 0.0
        var xy = 0.0
        var yy = 0.0
        for i in 0..<n {
            let dx = Double(x.data[2 * i]) - mx
            let dy = Double(x.data[2 * i + 1]) - my
            xx += dx * dx
            xy += dx * dy
            yy += dy * dy
        }
        let d = Double(n - 1)
        return ((mx, my), (xx / d, xy / d, yy / d))
    }

    /// Distance between the particles' mean and the mixture's, and Frobenius distance of covariances.
    public var momentDistances: (mean: Double, covariance: Double) {
        let (m, c) = particleMoments
        let dm = ((m.0 - targetMean.0) * (m.0 - targetMean.0) + (m.1 - targetMean.1) * (m.1 - targetMean.1))
            .squareRoot()
        let t = targetCovariance
        let dc = ((c.0 - t.0) * (c.0 - t.0) + 2 * (c.1 - t.1) * (c.1 - t.1) + (c.2 - t.2) * (c.2 - t.2)).squareRoot()
        return (dm, dc)
    }

    public func step() throws -> StepReport {
        let alpha = Double(sampler.stepSize)
        do {
            try sampler.step()
        } catch let fault as ModelFault {
            throw RuntimeFault(fault.description)
        }
        let (dm, dc) = momentDistances
        return StepReport(metrics: [
            "noise_level": sampler.noiseLevel, "step_size": alpha, "score_norm": sampler.scoreNorm,
            "mean_distance": dm, "covariance_distance": dc,
        ])
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let (done, total) = sampler.progress
        let (dm, dc) = momentDistances
        let level = min(sampler.stepsTaken / sampler.stepsPerLevel, sampler.ladder.count - 1)
        var figures: [(name: String, value: String)] = [
            ("method", annealed ? "annealed Langevin" : "Langevin"),
            (
                "score",
                analytic ? "analytic" : String(format: "learned (DSM loss %.3f, %.2f s)", trainingLoss, trainingSeconds)
            ),
            ("step", "\(done)/\(total)"), ("level", "\(level + 1)/\(sampler.ladder.count)"),
            ("step size", String(format: "%.3g", Double(sampler.stepSize))),
            ("noise level", String(format: "%.3g", sampler.noiseLevel)),
            ("score norm", String(format: "%.3g", sampler.scoreNorm)),
            ("mean distance", String(format: "%.3f", dm)), ("covariance distance", String(format: "%.3f", dc)),
        ]
        if !annealed { figures.insert(("note", "one noise level: modes far from the start mix slowly"), at: 1) }
        snapshot.figures = figures
        let x = sampler.x
        var points = (0..<x.shape[0]).map {
            Snapshot.Point(x: Double(x.data[2 * $0]), y: Double(x.data[2 * $0 + 1]), label: 0)
        }
        points += (0..<(data.count / 2)).map { Snapshot.Point(x: data[2 * $0], y: data[2 * $0 + 1], label: 1) }
        snapshot.points = points
    }
}
