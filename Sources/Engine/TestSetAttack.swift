import Attacks
import Datasets
import Models
import TensorCore

/// An attack on the first `count` test images of a dataset, `batchSize` images per `AttackRun`, the
/// results merged: what `manifold attack` times as its seconds, and how the benchmarks attack a test set.
public enum TestSetAttack {
    /// Progress after each attack iteration: images done (a batch counts in proportion to its
    /// iterations), the total, and the current iteration, iteration count and loss.
    public typealias Progress = (_ done: Int, _ total: Int, _ iteration: Int, _ iterations: Int, _ loss: Double) -> Void

    /// Runs `attack` (named `method` in error messages) against `model` on `dataset`'s first `count`
    /// test images.
    /// - Throws: `RunError` naming the method when the attack rejects its inputs.
    public static func run(
        _ attack: any Attack, method: String, model: Classifier, dataset: Dataset, count: Int, batchSize: Int,
        threat: ThreatModel, progress: Progress? = nil
    ) throws -> AttackResult {
        let pixels = dataset.pixelCount
        var parts: [AttackResult] = []
        // Every batch's adversarial images go straight into one tensor for the whole set, and the batch's own
        // tensor is freed for the next batch to reuse: no second copy of the set, no fresh pages per batch.
        let adversarial = TensorStorage(uninitializedCount: max(count, 0) * pixels)
        var first = 0
        while first < count {
            let last = min(first + batchSize, count)
            let images = Tensor(
                shape: [last - first, pixels], copying: dataset.testImages[(first * pixels)..<(last * pixels)])
            let labels = Array(dataset.testLabels[first..<last])
            let run = try runToEnd(attack, method: method, model: model, images: images, labels: labels, threat: threat)
            {
                run in
                progress?(
                    first + (last - first) * run.iteration / max(run.iterationCount, 1), count, run.iteration,
                    run.iterationCount, Double(run.loss))
            }
            var part = run.result()
            let rows = Tensor(shape: [last - first, pixels], storage: adversarial, offset: first * pixels)
            rows.assign(part.adversarial)
            part.adversarial = rows
            parts.append(part)
            first = last
        }
        return AttackResult.merged(parts)
    }

    /// One attack run on `images` to its last step, `afterStep` called after each; an input the attack
    /// rejects becomes a `RunError` naming `method`.
    public static func runToEnd(
        _ attack: any Attack, method: String, model: Classifier, images: Tensor, labels: [Int], threat: ThreatModel,
        afterStep: (AttackRun) -> Void = { _ in }
    ) throws -> AttackRun {
        let run: AttackRun
        do {
            run = try attack.makeRun(classifier: model, images: images, labels: labels, threat: threat)
        } catch let error as AttackError {
            throw RunError("\(method): \(error.description)")
        }
        while !run.isFinished {
            try run.step()
            afterStep(run)
        }
        return run
    }
}
