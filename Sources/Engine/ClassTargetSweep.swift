import Attacks
import Models
import TensorCore

/// A large-radius targeted attack towards every class from the same start images: the picture of
/// perceptually aligned gradients (`manifold attack pgd --target all`).
///
/// Tsipras et al. 2019 ("Robustness may be at odds with accuracy", section 5 and figure 4) and Santurkar
/// et al. 2019 ("Image synthesis with a single (robust) classifier") run targeted PGD with a radius far
/// larger than the one a model was trained for. On an adversarially trained classifier the loss gradient
/// with respect to the input points towards what a person sees as the target class, so the image turns
/// into a drawing of that class; on a standard classifier the same budget buys high-frequency noise that
/// reaches the target without looking like it.
///
/// For each class `t` in `0..<K` the attack runs once on all the start images with the goal
/// `.targeted(t)`; a column of the grid is that run's output. Success is the adversarial prediction
/// equal to `t` (a start image already of class `t` counts when it stays there).
public struct ClassTargetSweep: @unchecked Sendable {
    /// The outcome of the targeted runs towards one class.
    public struct Column: Sendable {
        public var target: Int
        /// Adversarial images `[n * pixels]`, row-major, in the start images' order.
        public var adversarial: [Float]
        /// The model's class for each adversarial image.
        public var predictions: [Int]
        /// `p(target | x')` for each adversarial image (softmax of the logits).
        public var targetProbabilities: [Double]

        /// The fraction of images the model puts in the target class.
        public var successRate: Double {
            predictions.isEmpty ? 0 : Double(predictions.filter { $0 == target }.count) / Double(predictions.count)
        }
        /// The mean of `targetProbabilities`.
        public var meanTargetProbability: Double {
            targetProbabilities.isEmpty ? 0 : targetProbabilities.reduce(0, +) / Double(targetProbabilities.count)
        }
    }

    /// The start images `[n * pixels]` and their true labels.
    public var clean: [Float]
    public var labels: [Int]
    /// The model's class for each start image.
    public var cleanPredictions: [Int]
    /// One column per class, in class order.
    public var columns: [Column]
    public var imageWidth: Int
    public var imageHeight: Int
    /// Gradient evaluations over all the runs.
    public var gradientEvaluations: Int

    public var count: Int { labels.count }
    public var cleanAccuracy: Double {
        labels.isEmpty ? 0 : Double(zip(cleanPredictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// Progress after each attack iteration: the class being aimed at, the class count, and the
    /// iteration and iteration count of its run.
    public typealias Progress = (_ target: Int, _ classes: Int, _ iteration: Int, _ iterations: Int) -> Void

    /// Runs `attack` against `model` once per class, each run from the same `images`.
    /// - Parameters:
    ///   - attack: a targeted gradient attack (`PGD`, `BIM`, `APGD`); `method` names it in errors.
    ///   - images: `[n, pixels]`, pixels in [0, 1]; `labels` their `n` true classes.
    ///   - norm, epsilon: the threat model of every run.
    /// - Throws: `RunError` naming the method when the attack rejects its inputs.
    public static func run(
        _ attack: any Attack, method: String, model: Classifier, images: Tensor, labels: [Int],
        norm: PerturbationNorm, epsilon: Float, progress: Progress? = nil
    ) throws -> ClassTargetSweep {
        let classes = model.classCount
        var columns: [Column] = []
        var gradients = 0
        for target in 0..<classes {
            let threat = ThreatModel(norm: norm, epsilon: epsilon, goal: .targeted(target))
            let run = try TestSetAttack.runToEnd(
                attack, method: method, model: model, images: images, labels: labels, threat: threat
            ) { run in
                progress?(target, classes, run.iteration, run.iterationCount)
            }
            let result = run.result()
            gradients += result.gradientEvaluations
            let probabilities = noGrad { model(result.adversarial).softmax() }.scalars
            columns.append(
                Column(
                    target: target, adversarial: result.adversarial.scalars,
                    predictions: result.outcomes.map(\.adversarialPrediction),
                    targetProbabilities: labels.indices.map { Double(probabilities[$0 * classes + target]) }))
        }
        let cleanPredictions = noGrad { model(images).argmax() }
        return ClassTargetSweep(
            clean: images.scalars, labels: labels, cleanPredictions: cleanPredictions, columns: columns,
            imageWidth: model.imageWidth, imageHeight: model.imageHeight, gradientEvaluations: gradients)
    }

    /// Per target, the fraction of its adversarial images that `model` (another classifier) also puts in
    /// the target class: how far a sweep's images carry the class to a model that was not attacked. When
    /// the images draw the class (a robust model's), a standard model tends to agree; when they are
    /// noise aimed at one model (a standard model's), others do not.
    public func successRates(on model: Classifier) -> [Double] {
        columns.map { column in
            let images = Tensor(shape: [count, imageWidth * imageHeight], scalars: column.adversarial)
            let predictions = noGrad { model(images).argmax() }
            return Double(predictions.filter { $0 == column.target }.count) / Double(max(count, 1))
        }
    }

    /// The grid as grayscale values in [0, 1]: a row per start image, its clean image first, then one
    /// column per target class in order; tiles are separated by 1-pixel gray gaps (`PNGWriter.grid`).
    public func grid() -> (width: Int, height: Int, values: [Float]) {
        let pixels = imageWidth * imageHeight
        var tiles: [[Float]] = []
        for image in 0..<count {
            let range = (image * pixels)..<((image + 1) * pixels)
            tiles.append(Array(clean[range]))
            for column in columns { tiles.append(Array(column.adversarial[range])) }
        }
        return PNGWriter.grid(
            images: tiles, tileWidth: imageWidth, tileHeight: imageHeight, columns: columns.count + 1)
    }

    /// Two grids of the same height side by side, `left` then `right`, with a white band `gap` pixels
    /// wide between them.
    public static func sideBySide(
        _ left: (width: Int, height: Int, values: [Float]), _ right: (width: Int, height: Int, values: [Float]),
        gap: Int = 6
    ) -> (width: Int, height: Int, values: [Float]) {
        precondition(left.height == right.height, "side by side: heights \(left.height) and \(right.height)")
        let width = left.width + gap + right.width
        var values = [Float](repeating: 1, count: width * left.height)
        for y in 0..<left.height {
            for x in 0..<left.width { values[y * width + x] = left.values[y * left.width + x] }
            for x in 0..<right.width { values[y * width + left.width + gap + x] = right.values[y * right.width + x] }
        }
        return (width, left.height, values)
    }

    /// One CSV row per start image and target: `image,label,clean_prediction,target,prediction,
    /// target_probability,success`.
    public func table() -> String {
        var lines = ["image,label,clean_prediction,target,prediction,target_probability,success"]
        for image in 0..<count {
            for column in columns {
                let prediction = column.predictions[image]
                lines.append(
                    "\(image),\(labels[image]),\(cleanPredictions[image]),\(column.target),\(prediction),"
                        + "\(column.targetProbabilities[image]),\(prediction == column.target ? 1 : 0)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
