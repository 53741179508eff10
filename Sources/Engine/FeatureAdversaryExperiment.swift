import Attacks
import Foundation
import Models
import TensorCore

/// The Attack lab's feature-adversary view (Sabour, Cao, Faghri & Fleet 2016, "Adversarial Manipulation
/// of Deep Representations"): one source image driven toward a guide image's representation at one
/// layer, one projected signed-gradient step at a time, within an L-inf ball of radius delta
/// (`FeatureAdversaries`, as `manifold attack feature` runs it on a batch).
///
/// StepReport metrics: `p_guide` (the classifier's probability of the guide's class for the kept
/// iterate), `relative_feature_distance` (at the chosen layer, relative to the source's distance).
/// Snapshot: images `source`, `guide`, `adversarial`, `perturbation` (signed); bars `feature distance
/// per layer` (every hidden layer's distance to the guide relative to the source's, the chosen layer
/// marked) and `feature steps` (the newest steps' predictions); curves `p(guide class)` and `relative
/// feature distance` over steps; the figures. Changing the layer, delta or the guide restarts the attack.
public final class FeatureAdversaryExperiment: VisualExperiment {
    public let classifier: Classifier
    /// `[1, pixels]` in [0, 1].
    public let source: Tensor
    public let sourceLabel: Int
    public let sourceIndex: Int
    public let imageWidth: Int
    public let imageHeight: Int
    public let classNames: [String]
    public let steps: Int
    public private(set) var guide: Tensor
    public private(set) var guideLabel: Int
    public private(set) var guideIndex: Int
    public private(set) var layer: String
    public private(set) var epsilon: Float
    /// Per step taken: the kept iterate's prediction, its probability of the guide's class and the
    /// relative feature distance at `layer`.
    public private(set) var history: [(prediction: Int, guideProbability: Double, relativeDistance: Double)] = []
    private var run: AttackRun
    /// Every hidden layer's source-to-guide distance, for the per-layer bars.
    private var sourceDistances: [Float]
    /// One guide per class other than the source's (`nextGuide` cycles through them), in class order.
    public var guideCandidates: [(label: Int, index: Int, image: Tensor)] = []

    /// - Parameters: `source` and `guide` `[1, pixels]` in [0, 1] of different classes; `layer` one of the
    ///   classifier's `featureLayerNames` (nil: the last); `epsilon` delta; `steps` the step budget
    ///   (step size delta / 10, as on the command line).
    /// - Throws: `AttackError` for a layer the classifier lacks, a guide of the source's class or a
    ///   bad delta.
    public init(
        classifier: Classifier, source: Tensor, sourceLabel: Int, sourceIndex: Int, guide: Tensor, guideLabel: Int,
        guideIndex: Int, imageWidth: Int, imageHeight: Int, classNames: [String], layer: String? = nil,
        epsilon: Float = 0.1, steps: Int = 100
    ) throws {
        self.classifier = classifier
        self.source = source
        self.sourceLabel = sourceLabel
        self.sourceIndex = sourceIndex
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.classNames = classNames
        self.steps = steps
        self.guide = guide
        self.guideLabel = guideLabel
        self.guideIndex = guideIndex
        self.layer = layer ?? classifier.featureLayerNames.last ?? ""
        self.epsilon = epsilon
        run = try Self.makeRun(
            classifier, source: source, label: sourceLabel, guide: guide, guideLabel: guideLabel, layer: self.layer,
            epsilon: epsilon, steps: steps)
        sourceDistances = Self.layerDistances(classifier, source, guide)
    }

    private static func makeRun(
        _ classifier: Classifier, source: Tensor, label: Int, guide: Tensor, guideLabel: Int, layer: String,
        epsilon: Float, steps: Int
    ) throws -> AttackRun {
        guard epsilon > 0, epsilon <= 1 else { throw AttackError("delta must be in (0, 1], got \(epsilon)") }
        return try FeatureAdversaries(layer: layer, guide: guide.scalars, guideLabel: guideLabel, steps: steps)
            .makeRun(classifier: classifier, images: source, labels: [label], threat: ThreatModel(epsilon: epsilon))
    }

    /// Per hidden layer, the Euclidean distance between the activations of `a` and `b` (`[1, pixels]`).
    static func layerDistances(_ classifier: Classifier, _ a: Tensor, _ b: Tensor) -> [Float] {
        let names = classifier.featureLayerNames
        return noGrad {
            let pair = Tensor(shape: [2, a.count], scalars: a.scalars + b.scalars)
            return classifier.activations(pair, at: names).map { features in
                let width = features.count / 2
                var sum: Float = 0
                for j in 0..<width {
                    let d = features.data[j] - features.data[width + j]
                    sum += d * d
                }
                return sum.squareRoot()
            }
        }
    }

    /// Restarts the attack with another layer, delta or guide (each unchanged when nil).
    /// - Throws: `AttackError` as `init`; the running attack is then kept.
    public func restart(layer: String? = nil, epsilon: Float? = nil, guide: (Tensor, Int, Int)? = nil) throws {
        let next = (
            layer: layer ?? self.layer, epsilon: epsilon ?? self.epsilon,
            guide: guide ?? (self.guide, guideLabel, guideIndex)
        )
        run = try Self.makeRun(
            classifier, source: source, label: sourceLabel, guide: next.guide.0, guideLabel: next.guide.1,
            layer: next.layer, epsilon: next.epsilon, steps: steps)
        (self.layer, self.epsilon) = (next.layer, next.epsilon)
        (self.guide, guideLabel, guideIndex) = next.guide
        sourceDistances = Self.layerDistances(classifier, source, self.guide)
        history = []
    }

    /// The guide of the next (`forward`) or previous class among `guideCandidates`; restarts the attack.
    /// - Returns: a line for the status bar.
    public func nextGuide(forward: Bool) throws -> String {
        guard guideCandidates.count > 1 else { return "no other guide class to pick" }
        let position = guideCandidates.firstIndex { $0.label == guideLabel } ?? 0
        let next = guideCandidates[(position + (forward ? 1 : guideCandidates.count - 1)) % guideCandidates.count]
        try restart(guide: (next.image, next.label, next.index))
        return "guide: test image \(next.index), \(name(next.label)); attack restarted"
    }

    /// The previous (`step` -1) or next (+1) hidden layer; restarts the attack.
    /// - Returns: a line for the status bar.
    public func moveLayer(by step: Int) throws -> String {
        let names = classifier.featureLayerNames
        guard let position = names.firstIndex(of: layer) else { return "no layer to move from" }
        let target = position + step
        guard names.indices.contains(target) else {
            return step < 0 ? "the first hidden layer already" : "the last hidden layer already"
        }
        try restart(layer: names[target])
        return "layer \(descriptionOfLayer); attack restarted"
    }

    public var isFinished: Bool { run.isFinished }
    public var progress: (done: Int, total: Int) { (run.iteration, run.iterationCount) }

    public func step() throws -> StepReport {
        if !run.isFinished { try run.step() }
        let probabilities = noGrad { classifier(run.output).softmax() }
        let classes = probabilities.shape[1]
        let row = (0..<classes).map { Double(probabilities.data[$0]) }
        let prediction = row.indices.max { row[$0] < row[$1] } ?? 0
        let relative = run.metrics["relative_feature_distance"] ?? .nan
        history.append((prediction, row[guideLabel], relative))
        return StepReport(metrics: ["p_guide": row[guideLabel], "relative_feature_distance": relative])
    }

    private func name(_ index: Int) -> String {
        index >= 0 && index < classNames.count ? classNames[index] : String(index)
    }

    public func describe(into snapshot: inout Snapshot, includeHeavy: Bool) {
        let output = run.output
        let pixels = imageWidth * imageHeight
        let triple = Tensor(shape: [3, pixels], scalars: source.scalars + guide.scalars + output.scalars)
        let probabilities = noGrad { classifier(triple).softmax() }
        let classes = probabilities.shape[1]
        func verdict(_ row: Int) -> (Int, Double) {
            let values = (0..<classes).map { probabilities.data[row * classes + $0] }
            let best = values.indices.max { values[$0] < values[$1] } ?? 0
            return (best, Double(values[best]))
        }
        func image(_ t: Tensor, _ caption: String) -> Snapshot.Image {
            Snapshot.Image(width: imageWidth, height: imageHeight, values: t.scalars, caption: caption)
        }
        let (sourcePrediction, sourceP) = verdict(0)
        let (guidePrediction, guideP) = verdict(1)
        let (prediction, p) = verdict(2)
        snapshot.images["source"] = [image(source, String(format: "%@ %.0f%%", name(sourcePrediction), sourceP * 100))]
        snapshot.images["guide"] = [image(guide, String(format: "%@ %.0f%%", name(guidePrediction), guideP * 100))]
        let mark = prediction == guideLabel ? "=" : "≠"
        snapshot.images["adversarial"] = [
            image(output, String(format: "%@ %.0f%% %@ guide", name(prediction), p * 100, mark))
        ]
        let delta = (output - source)
        let norms = PerturbationNorms.of(output, from: source)[0]
        snapshot.images["perturbation"] = [image(delta, String(format: "L-inf %.3f", norms.linf))]

        let now = Self.layerDistances(classifier, output, guide)
        let descriptions = classifier.layerDescriptions
        snapshot.bars["feature distance per layer"] = classifier.featureLayerNames.indices.map { index in
            let name = classifier.featureLayerNames[index]
            let label = (index < descriptions.count ? descriptions[index] : name) + (name == layer ? " ◀" : "")
            let relative = sourceDistances[index] > 0 ? Double(now[index] / sourceDistances[index]) : 0
            return Snapshot.Bar(label: label, value: relative)
        }
        let recent = history.indices.suffix(12).reversed()
        snapshot.bars["feature steps"] = recent.map { index in
            let item = history[index]
            return Snapshot.Bar(
                label: String(format: "%3d %@", index + 1, name(item.prediction)), value: item.guideProbability)
        }
        let xs = history.indices.map { Double($0 + 1) }
        snapshot.curves["p(guide class)"] = (xs, history.map(\.guideProbability))
        snapshot.curves["relative feature distance"] = (xs, history.map { min($0.relativeDistance, 1) })
        snapshot.figures = [
            ("source", "\(sourceIndex) (true: \(name(sourceLabel)))"),
            ("guide", "\(guideIndex) (true: \(name(guideLabel)))"),
            ("layer", descriptionOfLayer), ("delta", String(format: "%.4g", epsilon)),
            ("step", "\(run.iteration)/\(run.iterationCount)"),
            ("prediction", "\(name(sourcePrediction)) → \(name(prediction))"),
            ("p(guide class)", String(format: "%.3f", probabilities.data[2 * classes + guideLabel])),
            ("relative distance", String(format: "%.3f", run.metrics["relative_feature_distance"] ?? .nan)),
            ("L-inf", String(format: "%.4f", norms.linf)), ("L2", String(format: "%.4f", norms.l2)),
        ]
    }

    /// The chosen layer as `name (Type)`.
    public var descriptionOfLayer: String {
        guard let index = classifier.featureLayerNames.firstIndex(of: layer),
            index < classifier.layerDescriptions.count
        else { return layer }
        return classifier.layerDescriptions[index]
    }
}
