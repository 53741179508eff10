import Foundation
import NeuralNet
import TensorCore
import Testing

@testable import Models

/// Classifier guidance (Dhariwal & Nichol 2021, Algorithms 1 and 2; issue 18): the gradient of
/// `log p(k | x_t)` through the [-1, 1] -> [0, 1] pixel map, the DDPM mean shift and the DDIM noise
/// correction, each against a hand-computed answer.
struct ClassifierGuidanceTests {
    /// A linear classifier `z = W u + b` on 3 pixels and 2 classes with fixed weights.
    func linearClassifier() -> Classifier {
        var generator = RandomGenerator(seed: 1)
        let layer = Linear(inputCount: 3, outputCount: 2, generator: &generator)
        let weights: [Float] = [0.5, -1.0, 2.0, -0.25, 0.75, 1.5]
        for i in 0..<6 { layer.weight.data[i] = weights[i] }
        layer.bias!.data[0] = 0.1
        layer.bias!.data[1] = -0.2
        return Classifier(kind: .mlp, imageHeight: 1, imageWidth: 3, classCount: 2, network: Sequential([layer]))
    }

    /// For a linear classifier, `grad_u log p(k | u) = W_k - sum_j p_j W_j`; in diffusion space
    /// (`u = (x + 1) / 2`) half of it.
    @Test func gradientOfLogProbabilityMatchesTheClosedForm() {
        let classifier = linearClassifier()
        let w: [[Double]] = [[0.5, -1.0, 2.0], [-0.25, 0.75, 1.5]]
        let b = [0.1, -0.2]
        let x: [Float] = [-0.8, 0.3, 1.7, 0.9, -1.2, 0.0]
        let labels = [1, 0]
        let gradient = ClassifierGuidance.logProbabilityGradient(
            classifier, at: Tensor(shape: [2, 3], scalars: x), labels: labels)
        #expect(gradient.shape == [2, 3])
        for row in 0..<2 {
            let u = (0..<3).map { (Double(x[row * 3 + $0]) + 1) / 2 }
            let z = (0..<2).map { k in b[k] + (0..<3).map { w[k][$0] * u[$0] }.reduce(0, +) }
            let total = z.map { Foundation.exp($0) }.reduce(0, +)
            let p = z.map { Foundation.exp($0) / total }
            for i in 0..<3 {
                let expected = 0.5 * (w[labels[row]][i] - (0..<2).map { p[$0] * w[$0][i] }.reduce(0, +))
                #expect(Swift.abs(Double(gradient.data[row * 3 + i]) - expected) < 1e-5, "row \(row) pixel \(i)")
            }
        }
        // The classifier's parameters are left as they were: no gradients kept, still trainable.
        #expect(classifier.parameters.allSatisfy { $0.grad == nil && $0.requiresGrad })
    }

    /// Algorithm 1: one guided DDPM step lands exactly `s sigma_t^2 g` away from the unguided step from
    /// the same `x_T` and noise, for both variances and with or without clipping.
    @Test func ddpmStepShiftsTheMeanByScaleTimesVarianceTimesGradient() throws {
        let schedule = DiffusionSchedule(steps: 6)
        let g: [Float] = [0.3, -1.1, 0.7, 2.0, 0.05, -0.4]
        let scale = 2.5
        for variance in DDPMSampler.Variance.allCases {
            for clip in [false, true] {
                func sampler() -> DDPMSampler {
                    DDPMSampler(
                        count: 2, pixels: 3, schedule: schedule, variance: variance, clip: clip, seed: 9
                    ) { x, _ in x.scaled(by: 0.4) }
                }
                let plain = sampler()
                let guided = sampler()
                var seen: [Tensor] = []
                guided.classifierGuidance = ClassifierGuidance(labels: [0, 1], scale: scale) { x in
                    seen.append(x.copy())
                    return Tensor(shape: [2, 3], scalars: g)
                }
                let start = guided.x.copy()
                try plain.step()
                try guided.step()
                // The gradient is taken at x_t, before the step.
                #expect(seen.count == 1 && seen[0].scalars == start.scalars)
                let t = schedule.stepCount - 1
                let sigmaSquared = variance == .beta ? schedule.betas[t] : schedule.posteriorVariance(t)
                #expect(guided.stepVariance(t) == sigmaSquared)
                for i in 0..<6 {
                    let shift = Double(guided.x.data[i] - plain.x.data[i])
                    #expect(
                        Swift.abs(shift - scale * sigmaSquared * Double(g[i])) < 1e-6, "\(variance) clip \(clip) i \(i)"
                    )
                }
            }
        }
    }

    /// Algorithm 2: guided DDIM equals unguided DDIM whose noise model already returns
    /// `eps - sqrt(1 - alphaBar_t) s g`, at every step.
    @Test func ddimUsesTheCorrectedNoisePrediction() throws {
        let schedule = DiffusionSchedule(steps: 20)
        let g: [Float] = [0.5, -0.2, 1.0, -0.7]
        let scale = 3.0
        let guided = DDIMSampler(count: 2, pixels: 2, schedule: schedule, steps: 5, seed: 4) { x, _ in
            x.scaled(by: 0.5)
        }
        guided.classifierGuidance = ClassifierGuidance(labels: [1, 1], scale: scale) { _ in
            Tensor(shape: [2, 2], scalars: g)
        }
        let corrected = DDIMSampler(count: 2, pixels: 2, schedule: schedule, steps: 5, seed: 4) { x, t in
            let factor = Float((1 - schedule.alphaBars[t[0]]).squareRoot() * scale)
            let eps = x.scaled(by: 0.5)
            return Tensor(shape: x.shape, scalars: (0..<x.count).map { eps.data[$0] - factor * g[$0] })
        }
        let unguided = DDIMSampler(count: 2, pixels: 2, schedule: schedule, steps: 5, seed: 4) { x, _ in
            x.scaled(by: 0.5)
        }
        while !guided.isFinished {
            try guided.step()
            try corrected.step()
            try unguided.step()
            for i in 0..<4 { #expect(Swift.abs(guided.x.data[i] - corrected.x.data[i]) < 1e-5) }
        }
        #expect(guided.x.scalars != unguided.x.scalars)
    }

    /// Guidance by the linear classifier raises the probability of the class asked for: after a guided
    /// DDIM chain, more samples are assigned that class than without guidance.
    @Test func guidanceMovesSamplesTowardTheClass() throws {
        let classifier = linearClassifier()
        let schedule = DiffusionSchedule(steps: 50)
        func finalShare(scale: Double) throws -> Double {
            let sampler = DDIMSampler(count: 64, pixels: 3, schedule: schedule, steps: 10, seed: 2) { x, _ in
                x.scaled(by: 0.5)
            }
            if scale > 0 {
                sampler.classifierGuidance = ClassifierGuidance.fromClassifier(
                    classifier, labels: [Int](repeating: 1, count: 64), scale: scale)
            }
            try sampler.run()
            let p = classifier.probabilities(sampler.images)
            return (0..<64).map { Double(p.data[$0 * 2 + 1]) }.reduce(0, +) / 64
        }
        let plain = try finalShare(scale: 0)
        let guided = try finalShare(scale: 10)
        #expect(guided > plain + 0.05, "mean p(1 | x) \(plain) unguided, \(guided) guided")
    }
}
