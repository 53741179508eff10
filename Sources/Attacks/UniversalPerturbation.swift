import Models
import TensorCore

/// Universal adversarial perturbation (Moosavi-Dezfooli, Fawzi, Fawzi & Frossard 2017, "Universal
/// adversarial perturbations"), L-inf or L2: one image-agnostic `v` with `||v||_p <= xi` that fools the
/// model on most inputs.
///
/// Each pass goes over the training images in a shuffled order; where `x + v` is still classified as `x`,
/// the DeepFool perturbation `dv` of `x + v` is added and `v` is projected back onto the xi-ball
/// (`v <- P_{p,xi}(v + dv)`). After every pass the fooling rate on the held-out images (the attacked
/// batch), the share whose prediction on `clip(x + v)` differs from that on `x`, is measured; the attack
/// stops once it reaches `goal` or after `epochs` passes. The attacked images become `clip_[0,1](x + v)`.
/// `metrics["fooling_rate"]` is the held-out fooling rate; with a `transferModel`,
/// `metrics["transfer_fooling_rate"]` is the fooling rate of the same `v` on that model (the claim that
/// universal perturbations generalise across models, measured).
///
/// - `trainImages`: `[m, pixels]` images `v` is computed on (default nil: the attacked batch itself).
/// - `epochs`: maximum passes (default 5). `goal`: the fooling rate to stop at (default 0.8).
/// - `chunk`: training images per `step()` (default 100). `deepFool`: the inner attack (default
///   `DeepFool(steps: 10, overshoot: 0.02)`, as the paper). `transferModel`: default nil. `seed`: the pass order.
/// Threat model: `.linf` (xi in (0, 1]) or `.l2`, untargeted. Input `[batch, pixels]`.
public struct UniversalPerturbation: Attack {
    public var trainImages: Tensor?
    public var epochs: Int
    public var goal: Double
    public var chunk: Int
    public var deepFool: DeepFool
    public var transferModel: Classifier?
    public var seed: UInt64

    /// The training images `manifold attack uap` builds `v` on without `--train-n`: the first 1000 of the
    /// training split (all of them when it has fewer). The workbench's Attack lab takes the same ones, so
    /// that its figures are the ones `attack uap --n 256` prints.
    public static let defaultTrainCount = 1000

    public var name: String { "uap" }
    public var citation: String {
        "Moosavi-Dezfooli, Fawzi, Fawzi & Frossard 2017, Universal adversarial perturbations"
    }

    public init(
        trainImages: Tensor? = nil, epochs: Int = 5, goal: Double = 0.8, chunk: Int = 100,
        deepFool: DeepFool = DeepFool(steps: 10, overshoot: 0.02), transferModel: Classifier? = nil, seed: UInt64 = 0
    ) {
        self.trainImages = trainImages
        self.epochs = epochs
        self.goal = goal
        self.chunk = chunk
        self.deepFool = deepFool
        self.transferModel = transferModel
        self.seed = seed
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard threat.norm != .l0 else { throw AttackError("uap bounds L-inf or L2 perturbations, not L0") }
        guard threat.goal == .untargeted else { throw AttackError("uap is untargeted; drop --target") }
        guard epochs >= 1, chunk >= 1, (0...1).contains(goal) else {
            throw AttackError("uap needs epochs >= 1, chunk >= 1 and a goal in [0, 1]")
        }
        _ = try validate(classifier: classifier, images: images, labels: labels, threat: threat)
        let train = trainImages?.detached() ?? images.detached()
        guard train.rank == 2, train.shape[1] == images.shape[1], train.shape[0] > 0 else {
            throw AttackError("uap training images have shape \(train.shape); need [m, \(images.shape[1])]")
        }
        if let other = transferModel, other.imageHeight * other.imageWidth != images.shape[1] {
            throw AttackError("the transfer model takes \(other.imageHeight)x\(other.imageWidth) images")
        }
        return UniversalPerturbationRun(
            attack: self, classifier: classifier, images: images.detached(), labels: labels, train: train,
            threat: threat)
    }
}

/// The universal perturbation's step machine: each step visits `chunk` training images.
final class UniversalPerturbationRun: GradientAttackRun {
    let attack: UniversalPerturbation
    let threat: ThreatModel
    let train: Tensor
    let trainPredictions: [Int]
    let chunksPerEpoch: Int
    /// The perturbation `v`, `[pixels]`.
    private(set) var v: [Float]
    private var order: [Int] = []
    private var generator: RandomGenerator
    private let transferCleanPredictions: [Int]?

    init(
        attack: UniversalPerturbation, classifier: Classifier, images: Tensor, labels: [Int], train: Tensor,
        threat: ThreatModel
    ) {
        self.attack = attack
        self.threat = threat
        self.train = train
        trainPredictions = noGrad { classifier(train).argmax() }
        chunksPerEpoch = (train.shape[0] + attack.chunk - 1) / attack.chunk
        v = [Float](repeating: 0, count: images.shape[1])
        generator = RandomGenerator(seed: attack.seed)
        transferCleanPredictions = attack.transferModel.map { model in noGrad { model(images).argmax() } }
        super.init(
            method: "uap", classifier: classifier, clean: images, labels: labels, targets: nil,
            iterationCount: attack.epochs * chunksPerEpoch)
        metrics["fooling_rate"] = 0
        if attack.transferModel != nil { metrics["transfer_fooling_rate"] = 0 }
    }

    override var universalPerturbation: [Float]? { v }

    /// `clip_[0,1](x + v)` for every row of `x`.
    private func applied(to x: Tensor) -> Tensor {
        let out = x.copy()
        let pixels = v.count
        let o = out.data
        for row in 0..<x.shape[0] {
            for p in 0..<pixels { o[row * pixels + p] = min(max(o[row * pixels + p] + v[p], 0), 1) }
        }
        return out
    }

    /// Projects `v` onto the xi-ball of the threat's norm.
    private func project() {
        let xi = threat.epsilon
        if threat.norm == .l2 {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > xi { v = v.map { $0 * xi / norm } }
        } else {
            v = v.map { min(max($0, -xi), xi) }
        }
    }

    override func performStep() throws {
        let pixels = v.count
        let chunkIndex = iteration % chunksPerEpoch
        if chunkIndex == 0 { order = generator.permutation(train.shape[0]) }
        let start = chunkIndex * attack.chunk
        var lossSum = 0.0
        for index in order[start..<min(start + attack.chunk, order.count)] {
            let x = Tensor(
                shape: [1, pixels],
                scalars: Array(UnsafeBufferPointer(start: train.data + index * pixels, count: pixels)))
            let moved = applied(to: x)
            let logits = noGrad { classifier(moved) }
            let predicted = logits.argmax()[0]
            lossSum += Double(predicted == trainPredictions[index] ? 1 : 0)
            guard predicted == trainPredictions[index] else { continue }
            let (delta, gradients) = attack.deepFool.perturbation(of: moved, classifier: classifier)
            gradientEvaluations += gradients
            for p in 0..<pixels { v[p] += delta.data[p] }
            project()
        }
        // The share of this chunk's images that still needed a DeepFool step.
        loss = lossSum / Double(max(1, min(attack.chunk, order.count - start)))
        adversarial = applied(to: clean)
        let predicted = predict(adversarial)
        let fooled = zip(predicted, cleanPredictions).filter { $0 != $1 }.count
        metrics["fooling_rate"] = Double(fooled) / Double(labels.count)
        if let model = attack.transferModel, let before = transferCleanPredictions {
            let after = noGrad { model(adversarial).argmax() }
            metrics["transfer_fooling_rate"] =
                Double(zip(after, before).filter { $0 != $1 }.count) / Double(labels.count)
        }
        if chunkIndex == chunksPerEpoch - 1, metrics["fooling_rate"]! >= attack.goal { stoppedEarly = true }
    }
}
