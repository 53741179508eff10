import Attacks
import Models
import NeuralNet
import TensorCore
import Testing

@testable import Engine

/// `ClassTargetSweep`: the per-class figures, the grid layout (clean first, then one column per target),
/// two grids side by side, the CSV, and a real sweep of PGD on a linear classifier.
@Suite struct ClassTargetSweepTests {
    /// Two 2x2 images, three classes; image pixels are all `image + 1` tenths, and target `t`'s output
    /// of image `i` is all `0.5 + 0.1 t + 0.01 i`, so every tile is recognisable.
    func sweep() -> ClassTargetSweep {
        let columns = (0..<3).map { t in
            ClassTargetSweep.Column(
                target: t,
                adversarial: (0..<2).flatMap { i in [Float](repeating: 0.5 + 0.1 * Float(t) + 0.01 * Float(i), count: 4)
                },
                predictions: t == 1 ? [1, 0] : [t, t], targetProbabilities: t == 1 ? [0.75, 0.25] : [1, 0.5])
        }
        return ClassTargetSweep(
            clean: [Float](repeating: 0.1, count: 4) + [Float](repeating: 0.2, count: 4), labels: [0, 2],
            cleanPredictions: [0, 1], columns: columns, imageWidth: 2, imageHeight: 2, gradientEvaluations: 60)
    }

    @Test func figuresPerClass() {
        let s = sweep()
        #expect(s.cleanAccuracy == 0.5)
        #expect(s.columns.map(\.successRate) == [1, 0.5, 1])
        #expect(s.columns.map(\.meanTargetProbability) == [0.75, 0.5, 0.75])
    }

    @Test func gridHasTheCleanImageThenOneColumnPerTarget() {
        let grid = sweep().grid()
        // 4 tiles of 2 pixels plus 5 gaps across, 2 rows of 2 plus 3 gaps down.
        #expect(grid.width == 13 && grid.height == 7)
        func tile(row: Int, column: Int) -> Float { grid.values[(1 + 3 * row) * grid.width + 1 + 3 * column] }
        #expect(tile(row: 0, column: 0) == 0.1 && tile(row: 1, column: 0) == 0.2)
        for t in 0..<3 {
            for i in 0..<2 {
                #expect(abs(tile(row: i, column: t + 1) - (0.5 + 0.1 * Float(t) + 0.01 * Float(i))) < 1e-6)
            }
        }
        #expect(grid.values[0] == 0.5)
    }

    @Test func sideBySidePutsAWhiteBandBetweenTwoGrids() {
        let left = (width: 2, height: 2, values: [Float](repeating: 0, count: 4))
        let right = (width: 3, height: 2, values: [Float](repeating: 0.25, count: 6))
        let both = ClassTargetSweep.sideBySide(left, right, gap: 2)
        #expect(both.width == 7 && both.height == 2)
        #expect(both.values[0..<7] == [0, 0, 1, 1, 0.25, 0.25, 0.25])
    }

    @Test func tableHasARowPerImageAndTarget() {
        let rows = sweep().table().split(separator: "\n")
        #expect(rows.first == "image,label,clean_prediction,target,prediction,target_probability,success")
        #expect(rows.count == 1 + 2 * 3)
        #expect(rows[1] == "0,0,0,0,0,1.0,1")
        #expect(rows[5] == "1,2,1,1,0,0.25,0")
    }

    /// A linear classifier on 4x4 images whose class k is the sum of pixels 4k..<4k+4 (a band of rows).
    func bandClassifier() -> Classifier {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inputCount: 16, outputCount: 4, generator: &generator)
        for k in 0..<4 {
            for i in 0..<16 { layer.weight.data[k * 16 + i] = i / 4 == k ? 1 : 0 }
            layer.bias!.data[k] = 0
        }
        return Classifier(kind: .mlp, imageHeight: 4, imageWidth: 4, classCount: 4, network: Sequential([layer]))
    }

    /// PGD with a large radius reaches every class from the same images, and each column is its run's
    /// output: inside the eps-ball of the clean image, with the target's band brightened (the gradient of
    /// this model draws its class, as a robust model's does).
    @Test func pgdReachesEveryClassWithinTheBall() throws {
        let model = bandClassifier()
        // Pixels in [0.4, 0.5]: a step of 0.3 either way is never clipped; the bands differ by at most 0.4.
        let images = Tensor(shape: [3, 16], scalars: (0..<48).map { 0.4 + Float($0 % 3) * 0.05 })
        let sweep = try ClassTargetSweep.run(
            PGD(steps: 20, randomStart: false), method: "pgd", model: model, images: images, labels: [0, 1, 2],
            norm: .linf, epsilon: 0.3)
        #expect(sweep.columns.map(\.target) == [0, 1, 2, 3])
        #expect(sweep.columns.allSatisfy { $0.successRate == 1 }, "\(sweep.columns.map(\.predictions))")
        #expect(sweep.gradientEvaluations >= 4 * 20)
        for column in sweep.columns {
            let change = zip(column.adversarial, sweep.clean).map { $0 - $1 }
            #expect(change.allSatisfy { abs($0) <= 0.3 + 1e-5 })
            for (index, d) in change.enumerated() {
                #expect(
                    (index % 16) / 4 == column.target ? d > 0.29 : d < -0.29, "target \(column.target) pixel \(index)")
            }
            #expect(column.targetProbabilities.allSatisfy { $0 > 0.5 && $0 <= 1 })
        }
    }

    /// The workbench's experiment steps through every (model, target) pair, one PGD iteration a step, and
    /// describes a strip per model: the clean image, then each target's output with a hit's caption.
    @Test func experimentFillsAStripPerModel() throws {
        let image = (0..<16).map { 0.4 + Float($0 % 3) * 0.05 }
        let experiment = try ClassTargetSweepExperiment(
            models: [("a", bandClassifier()), ("b", bandClassifier())], image: image, label: 0, imageWidth: 4,
            imageHeight: 4, classNames: ["w", "x", "y", "z"], epsilon: 0.3, steps: 5)
        #expect(experiment.progress.total == 2 * 4 * 5)
        var steps = 0
        while !experiment.isFinished {
            _ = try experiment.step()
            steps += 1
        }
        #expect(steps == 2 * 4 * 5 && experiment.progress.done == 40)
        var snapshot = Snapshot()
        experiment.describe(into: &snapshot, includeHeavy: true)
        for strip in ["sweep 0", "sweep 1"] {
            let images = try #require(snapshot.images[strip])
            #expect(images.count == 5 && images[0].values == image)
            #expect(
                images.dropFirst().enumerated().allSatisfy {
                    $1.caption.hasPrefix("→\($0) ") && !$1.caption.contains("≠")
                })
        }
        #expect(snapshot.figures.map(\.name).suffix(2) == ["a", "b"])
        #expect(snapshot.figures.last?.value.hasPrefix("4/4 targets") == true)
        #expect(throws: AttackError.self) {
            try ClassTargetSweepExperiment(
                models: [("a", bandClassifier())], image: [0, 1], label: 0, imageWidth: 1, imageHeight: 2,
                classNames: [])
        }
    }
}
