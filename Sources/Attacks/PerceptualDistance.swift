import Models
import NeuralNet
import TensorCore

/// The "self" perceptual distance of Laidlaw, Singla & Feizi 2021 ("Perceptual Adversarial Robustness:
/// Defense Against Unseen Threat Models"): LPIPS computed with the attacked classifier's own features
/// instead of a pretrained AlexNet.
///
/// For each chosen layer l, the activations `a_l(x)` `[channels, positions]` (a Linear layer's features
/// are channels at one position) are normalised per position over the channels,
/// `n_l(x)[c, p] = a_l(x)[c, p] / (||a_l(x)[:, p]||_2 + 1e-10)`, and
/// `d(x, x') = mean_l mean_p sum_c (n_l(x)[c, p] - n_l(x')[c, p])^2`.
/// Each layer's term lies in [0, 4] (two unit vectors differ by at most 2), so `d` does as well.
public struct PerceptualDistance {
    public let classifier: Classifier
    /// The layers, as `Classifier.layerNames` names them.
    public let layers: [String]

    /// - Throws: `AttackError` listing the layers when a name is not one of the classifier's hidden layers.
    public init(classifier: Classifier, layers: [String]? = nil) throws {
        self.classifier = classifier
        let chosen = layers ?? PerceptualDistance.defaultLayers(of: classifier)
        guard !chosen.isEmpty else { throw AttackError("the perceptual distance needs at least one layer") }
        let valid = Set(classifier.featureLayerNames)
        if let bad = chosen.first(where: { !valid.contains($0) }) {
            throw AttackError(
                "no hidden layer '\(bad)' in the \(classifier.kind.rawValue) (layers: \(classifier.layerDescriptions.dropLast().joined(separator: ", ")))"
            )
        }
        self.layers = chosen
    }

    /// Every ReLU but the logits: the MLP's two hidden layers, the CNN's two convolutions and its hidden
    /// Linear layer.
    public static func defaultLayers(of classifier: Classifier) -> [String] {
        classifier.featureLayerNames.filter { name in
            classifier.layerIndex(named: name).map { classifier.network.layers[$0] is ReLU } ?? false
        }
    }

    /// The normalised activations `n_l(x)` of each layer, `[batch, channels, positions]`, recorded for
    /// autograd when gradients are on, and the logits of the same forward pass.
    public func normalisedFeatures(_ x: Tensor) -> (features: [Tensor], logits: Tensor) {
        let outputs = classifier.activations(x, at: layers + [classifier.layerNames.last!])
        let batch = x.shape[0]
        let features = outputs.dropLast().map { activation -> Tensor in
            let channels = activation.rank == 4 ? activation.shape[1] : activation.count / batch
            let a = activation.reshaped([batch, channels, -1])
            let norm = a.squared().sum(axis: 1, keepingDimension: true).shifted(by: 1e-20).sqrt()
            return a / norm.shifted(by: 1e-10)
        }
        return (features, outputs.last!)
    }

    /// Per image, `d` between the images whose normalised features are `a` and `b` (from
    /// `normalisedFeatures`): `[batch]`, differentiable.
    public func distance(_ a: [Tensor], _ b: [Tensor]) -> Tensor {
        precondition(a.count == layers.count && b.count == layers.count, "distance: one feature map per layer")
        let terms = zip(a, b).map { (x, y) in (x - y).squared().sum(axis: 1).mean(axis: 1) }
        return terms.dropFirst().reduce(terms[0], +).scaled(by: 1 / Float(layers.count))
    }

    /// Per image, `d(x_i, y_i)` without gradients.
    public func callAsFunction(_ x: Tensor, _ y: Tensor) -> [Float] {
        noGrad { distance(normalisedFeatures(x).features, normalisedFeatures(y).features).scalars }
    }

    /// Per image, the point of the segment from `clean` to `candidate` farthest along it with `d <= bound`,
    /// found by bisection on the scale t in [0, 1] (`iterations` forward passes); rows already within the
    /// bound are returned as they are. Laidlaw et al.'s bisection projection.
    public func project(_ candidate: Tensor, clean: Tensor, cleanFeatures: [Tensor], bound: Float, iterations: Int = 12)
        -> (images: Tensor, distances: [Float])
    {
        let batch = clean.shape[0]
        var distances = noGrad { distance(normalisedFeatures(candidate).features, cleanFeatures).scalars }
        let outside = distances.indices.filter { distances[$0] > bound }
        guard !outside.isEmpty else { return (candidate, distances) }
        var low = [Float](repeating: 0, count: batch)
        var high = [Float](repeating: 1, count: batch)
        var lowDistance = [Float](repeating: 0, count: batch)
        for _ in 0..<iterations {
            let middle = zip(low, high).map { ($0 + $1) / 2 }
            let trial = PerceptualDistance.interpolate(clean, candidate, scales: middle, rows: outside)
            let d = noGrad { distance(normalisedFeatures(trial).features, cleanFeatures).scalars }
            for row in outside {
                if d[row] <= bound {
                    low[row] = middle[row]
                    lowDistance[row] = d[row]
                } else {
                    high[row] = middle[row]
                }
            }
        }
        for row in outside { distances[row] = lowDistance[row] }
        return (PerceptualDistance.interpolate(clean, candidate, scales: low, rows: outside), distances)
    }

    /// `clean + t_i (candidate - clean)` on `rows`, `candidate` elsewhere.
    static func interpolate(_ clean: Tensor, _ candidate: Tensor, scales: [Float], rows: [Int]) -> Tensor {
        let out = candidate.copy()
        let pixels = clean.shape[1]
        let (o, c) = (out.data, clean.data)
        for row in rows {
            let t = scales[row]
            for i in (row * pixels)..<((row + 1) * pixels) { o[i] = c[i] + t * (o[i] - c[i]) }
        }
        return out
    }
}
