import Foundation
import NeuralNet
import TensorCore
import Testing

@testable import Models

/// The class-conditional U-Net DDPM and classifier-free guidance (Ho & Salimans 2021; issue 18).
struct ConditionalDiffusionTests {
    /// A conditional U-Net on 8x8 images with every parameter random, including those that start at
    /// zero (`conv2`, `output.conv`), so that gradients reach every parameter.
    func randomConditionalModel(classes: Int = 3, dropping: Float = 0.1, seed: UInt64 = 5) -> DDPM {
        var generator = RandomGenerator(seed: seed)
        let ddpm = DDPM(
            pixels: 64, embedding: 16, network: .unet, classCount: classes, unconditionalProbability: dropping,
            generator: &generator)
        for (_, tensor) in ddpm.trainedParameters {
            for i in 0..<tensor.count { tensor.data[i] = generator.gaussian() * 0.2 }
        }
        return ddpm
    }

    func parameter(_ ddpm: DDPM, _ name: String) -> Tensor {
        ddpm.trainedParameters.first { $0.name == name }!.tensor
    }

    /// Rows of the class table's gradient that are not all zero.
    func usedRows(_ ddpm: DDPM) -> [Int] {
        let table = parameter(ddpm, "unet.class.weight")
        let width = table.shape[1]
        guard let grad = table.grad else { return [] }
        return (0..<table.shape[0]).filter { row in (0..<width).contains { grad.data[row * width + $0] != 0 } }
    }

    /// Bug: the U-Net sampled all of `--n` in one pass, about 1.4 MB of activations a sample at 28x28, so
    /// `sample ddim --n 10000` on a U-Net run needed some 14 GB (2,000 samples peaked at 2.8 GB). The
    /// sampling predictor now runs passes of at most `rowsPerPass` rows, with the same values.
    @Test func samplingRunsTheUNetInBoundedPassesWithTheSameValues() {
        var generator = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([7, 64], generator: &generator)
        let steps = [999, 500, 3, 250, 1, 760, 42]
        let conditional = randomConditionalModel()
        var unconditionalGenerator = RandomGenerator(seed: 4)
        let unconditional = DDPM(pixels: 64, embedding: 16, network: .unet, generator: &unconditionalGenerator)
        let guidance = ClassifierFreeGuidance(labels: [0, 1, 2, 0, 1, 2, 0], weight: 2)
        for (ddpm, guide) in [(conditional, Optional(guidance)), (conditional, nil), (unconditional, nil)] {
            let whole = ddpm.makeSamplingPredictor(guidance: guide, rowsPerPass: 100)(x, steps)
            let passes = ddpm.makeSamplingPredictor(guidance: guide, rowsPerPass: 3)(x, steps)
            #expect(passes.shape == whole.shape)
            let gap = zip(passes.scalars, whole.scalars).map { abs($0 - $1) }.max() ?? .infinity
            #expect(gap <= 1e-5, "passes of 3 rows differ from one pass by \(gap)")
        }
        // Each pass sees at most rowsPerPass rows, with its own steps and labels, in order.
        var seen: [(rows: Int, steps: [Int], labels: [Int]?)] = []
        let stacked = DDPM.inPasses(x, timesteps: steps, labels: guidance.labels, rowsPerPass: 3) { part, t, labels in
            seen.append((part.shape[0], t, labels))
            return part
        }
        #expect(seen.map(\.rows) == [3, 3, 1] && seen.map(\.steps) == [[999, 500, 3], [250, 1, 760], [42]])
        #expect(seen.map { $0.labels ?? [] } == [[0, 1, 2], [0, 1, 2], [0]])
        #expect(stacked.scalars == x.scalars)
        #expect(DDPM.samplingRowsPerPass <= 256)
    }

    /// The test evaluation at the end of `train ddpm --net unet` ran the U-Net on 500 rows at once and
    /// peaked above the training (Fashion-MNIST, 256 training images: 1312-1353 MB, 776 MB in passes of
    /// 125). In passes, the draws and the loss are those of one pass over the batch.
    @Test func theLossInPassesIsTheLossOfOnePass() {
        let conditional = randomConditionalModel()
        var imageGenerator = RandomGenerator(seed: 8)
        let images = Tensor.randomUniform([7, 64], low: 0, high: 1, generator: &imageGenerator)
        let labels = [0, 1, 2, 0, 1, 2, 1]
        var whole = RandomGenerator(seed: 9)
        var passes = RandomGenerator(seed: 9)
        let one = noGrad { conditional.lossOn(images, labels: labels, generator: &whole).item }
        let split = noGrad { conditional.lossOn(images, labels: labels, rowsPerPass: 3, generator: &passes).item }
        #expect(abs(one - split) <= 1e-6 * max(1, abs(one)), "\(one) vs \(split)")
        // The same draws: both generators are at the same place afterwards.
        #expect(whole.uniform() == passes.uniform())
        #expect(DDPM.evaluationRowsPerPass < DDPM.samplingRowsPerPass)
    }

    @Test func guidanceCombinationKnownAnswer() {
        let conditional = Tensor(shape: [1, 3], scalars: [1, 2, -0.5])
        let unconditional = Tensor(shape: [1, 3], scalars: [0.5, -1, 0.25])
        // w = 2: 3 c - 2 u = (3 - 1, 6 + 2, -1.5 - 0.5).
        let guided = ClassifierFreeGuidance.combine(conditional: conditional, unconditional: unconditional, weight: 2)
        #expect(guided.shape == [1, 3])
        #expect(guided.scalars == [2, 8, -2])
        // w = 0 is the conditional prediction itself.
        #expect(
            ClassifierFreeGuidance.combine(conditional: conditional, unconditional: unconditional, weight: 0).scalars
                == conditional.scalars)
    }

    @Test func conditionalUNetShapesAndGradients() throws {
        let ddpm = randomConditionalModel()
        #expect(ddpm.isConditional && ddpm.noLabel == 3)
        #expect(parameter(ddpm, "unet.class.weight").shape == [4, 128])
        var generator = RandomGenerator(seed: 1)
        let x = Tensor.randomNormal([4, 64], generator: &generator)
        let out = ddpm.predictNoise(x, timesteps: [10, 200, 500, 900], labels: [0, 1, 2, 3])
        #expect(out.shape == [4, 64])
        (out * out).sum().backward()
        for (name, tensor) in ddpm.trainedParameters {
            let grad = tensor.grad?.scalars ?? []
            #expect(grad.contains { $0 != 0 && $0.isFinite }, "\(name) received no gradient")
        }
        #expect(usedRows(ddpm) == [0, 1, 2, 3])
        // The label changes the prediction; no label is the last row.
        let same = [Int](repeating: 100, count: 4)
        let a = noGrad { ddpm.predictNoise(x, timesteps: same, labels: [0, 0, 0, 0]) }
        let b = noGrad { ddpm.predictNoise(x, timesteps: same, labels: [1, 1, 1, 1]) }
        let none = noGrad { ddpm.predictNoise(x, timesteps: same, labels: [3, 3, 3, 3]) }
        let unlabelled = noGrad { ddpm.predictNoise(x, timesteps: same) }
        #expect(a.scalars != b.scalars)
        #expect(none.scalars == unlabelled.scalars)
    }

    /// Training with p_uncond = 1 drops every label: only the table's "no label" row gets a gradient;
    /// with p_uncond = 0 it never does.
    @Test func droppedLabelsTrainTheNoLabelRow() throws {
        for (dropping, expected) in [(Float(1), [3]), (0, [0, 1, 2])] {
            let ddpm = randomConditionalModel(dropping: dropping)
            var generator = RandomGenerator(seed: 2)
            let batch = Tensor.randomUniform([6, 64], low: 0, high: 1, generator: &generator)
            ddpm.lossOn(batch, labels: [0, 1, 2, 0, 1, 2], generator: &generator).backward()
            #expect(usedRows(ddpm) == expected, "p_uncond \(dropping)")
        }
        // In between, both kinds of row are trained.
        let ddpm = randomConditionalModel(dropping: 0.5)
        var generator = RandomGenerator(seed: 3)
        let batch = Tensor.randomUniform([32, 64], low: 0, high: 1, generator: &generator)
        ddpm.lossOn(batch, labels: [Int](repeating: 1, count: 32), generator: &generator).backward()
        #expect(usedRows(ddpm) == [1, 3])
    }

    /// The sampling predictor: unconditional without guidance, the conditional prediction at w = 0,
    /// and `(1 + w) eps(k) - w eps(none)` otherwise.
    @Test func guidedPredictorFollowsTheFormula() throws {
        let ddpm = randomConditionalModel()
        var generator = RandomGenerator(seed: 4)
        let x = Tensor.randomNormal([3, 64], generator: &generator)
        let t = [50, 50, 50]
        let labels = [2, 0, 1]
        let conditional = noGrad { ddpm.predictNoiseForSampling(x, timesteps: t, labels: labels) }
        let unconditional = noGrad { ddpm.predictNoiseForSampling(x, timesteps: t) }
        func close(_ a: Tensor, _ b: [Float]) -> Bool { zip(a.scalars, b).allSatisfy { abs($0 - $1) < 1e-4 } }
        #expect(close(ddpm.makeSamplingPredictor()(x, t), unconditional.scalars))
        let plain = ddpm.makeSamplingPredictor(guidance: ClassifierFreeGuidance(labels: labels, weight: 0))
        #expect(close(plain(x, t), conditional.scalars))
        let guided = ddpm.makeSamplingPredictor(guidance: ClassifierFreeGuidance(labels: labels, weight: 1.5))(x, t)
        let expected = zip(conditional.scalars, unconditional.scalars).map { 2.5 * $0 - 1.5 * $1 }
        #expect(guided.shape == [3, 64] && close(guided, expected))
    }
}
