import Attacks
import Base
import Models
import TensorCore

/// The workbench's view of perceptually aligned gradients (Tsipras et al. 2019, "Robustness may be at
/// odds with accuracy"; Santurkar et al. 2019, "Image synthesis with a single (robust) classifier"): one
/// test image attacked with targeted PGD towards every class, on one classifier or on two one below the
/// other (a standard and an adversarially trained one), one attack iteration per step.
///
/// It runs what `manifold attack pgd --target all` runs (`ClassTargetSweep`), one (model, target) pair
/// at a time, so the strips fill in column by column. Not thread-safe: call `step()` and `describe` from
/// the runner's queue.
public final class ClassTargetSweepExperiment: VisualExperiment {
    /// The classifiers, each with the name its strip is titled with (a run name).
    public let models: [(name: String, classifier: Classifier)]
    /// The start image `[1, pixels]`, pixels in [0, 1], and its true label.
    public let image: Tensor
    public let label: Int
    public let imageWidth: Int
    public let imageHeight: Int
    public let classNames: [String]
    public let threat: ThreatModel
    private let attack: PGD
    /// Per model, per finished target: the output image, its predicted class and `p(target | x')`.
    private var finished: [[(pixels: [Float], prediction: Int, probability: Double)]]
    private var current: AttackRun?

    /// - Parameters:
    ///   - models: one or more classifiers of the same image size and class count.
    ///   - image: `imageWidth * imageHeight` pixels in [0, 1]; `label`: its class.
    ///   - norm, epsilon, steps: the threat model and iterations of each targeted PGD run (no random start).
    /// - Throws: `AttackError` for models that disagree on size or classes, or an image of the wrong size.
    public init(
        models: [(name: String, classifier: Classifier)], image: [Float], label: Int, imageWidth: Int,
        imageHeight: Int, classNames: [String], norm: PerturbationNorm = .linf, epsilon: Float = 0.5,
        steps: Int = 100
    ) throws {
        guard let first = models.first?.classifier else { throw AttackError("no classifier to attack") }
        guard
            models.allSatisfy({
                $0.classifier.imageWidth == first.imageWidth && $0.classifier.imageHeight == first.imageHeight
                    && $0.classifier.classCount == first.classCount
            })
        else { throw AttackError("the classifiers differ in image size or classes") }
        guard image.count == imageWidth * imageHeight, imageWidth == first.imageWidth,
            imageHeight == first.imageHeight
        else { throw AttackError("the image is not \(first.imageWidth)x\(first.imageHeight)") }
        self.models = models
        self.image = Tensor(shape: [1, image.count], scalars: image)
        self.label = label
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.classNames = classNames
        threat = ThreatModel(norm: norm, epsilon: epsilon)
        attack = PGD(steps: steps, randomStart: false)
        finished = models.map { _ in [] }
    }

    private var classCount: Int { models[0].classifier.classCount }
    /// The (model, target) pair in progress: the first model with targets left.
    private var position: (model: Int, target: Int)? {
        guard let model = finished.firstIndex(where: { $0.count < classCount }) else { return nil }
        return (model, finished[model].count)
    }

    public var isFinished: Bool { position == nil }

    public var progress: (done: Int, total: Int) {
        let done = finished.reduce(0) { $0 + $1.count } * attack.steps + (current?.iteration ?? 0)
        return (done, models.count * classCount * attack.steps)
    }

    public func step() throws -> StepReport {
        guard let (model, target) = position else { return StepReport(metrics: [:]) }
        let classifier = models[model].classifier
        if current == nil {
            var threat = threat
            threat.goal = .targeted(target)
            current = try attack.makeRun(classifier: classifier, images: image, labels: [label], threat: threat)
        }
        guard let run = current else { return StepReport(metrics: [:]) }
        try run.step()
        if run.isFinished {
            let output = run.output
            let probabilities = noGrad { classifier(output).softmax() }.scalars
            let prediction = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            finished[model].append((output.scalars, prediction, Double(probabilities[target])))
            current = nil
        }
        return StepReport(metrics: ["loss": run.loss])
    }

    private func className(_ index: Int) -> String {
        index >= 0 && index < classNames.count ? classNames[index] : String(index)
    }

    /// Per model, `images["sweep N"]`: the clean image, then one image per target (its iterate while it
    /// runs); a caption `→ target p` for a hit, `≠ prediction` for a miss. The figures give each model's
    /// targets reached and mean `p(target)`.
    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let clean = image.scalars
        let blank = [Float](repeating: 0, count: clean.count)
        snapshot.figures = [
            ("image", "true class \(className(label))"),
            ("attack", "targeted PGD, \(counted(attack.steps, "step")), no random start"),
            ("eps", String(format: "%@ %.3g", threat.norm == .l2 ? "L2" : "L-inf", threat.epsilon)),
        ]
        for (index, model) in models.enumerated() {
            var strip = [Snapshot.Image(width: imageWidth, height: imageHeight, values: clean, caption: "clean")]
            for target in 0..<classCount {
                if target < finished[index].count {
                    let item = finished[index][target]
                    let caption =
                        item.prediction == target
                        ? String(format: "→%d %.2f", target, item.probability) : "→\(target) ≠ \(item.prediction)"
                    strip.append(
                        Snapshot.Image(width: imageWidth, height: imageHeight, values: item.pixels, caption: caption))
                } else if let run = current, position.map({ $0 == (index, target) }) == true {
                    strip.append(
                        Snapshot.Image(
                            width: imageWidth, height: imageHeight, values: run.output.scalars, caption: "→\(target) …")
                    )
                } else {
                    strip.append(
                        Snapshot.Image(width: imageWidth, height: imageHeight, values: blank, caption: "→\(target)"))
                }
            }
            snapshot.images["sweep \(index)"] = strip
            let done = finished[index]
            let hits = done.indices.filter { done[$0].prediction == $0 }.count
            let meanProbability = done.isEmpty ? 0 : done.reduce(0) { $0 + $1.probability } / Double(done.count)
            snapshot.figures.append(
                (model.name, String(format: "%d/%d targets, mean p %.2f", hits, done.count, meanProbability)))
        }
    }
}
